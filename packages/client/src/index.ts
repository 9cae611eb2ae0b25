export const placeholder = 'client';

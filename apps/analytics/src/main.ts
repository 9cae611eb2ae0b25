export const placeholder = 'analytics';

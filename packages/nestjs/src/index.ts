export const placeholder = 'nestjs';

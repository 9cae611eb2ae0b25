export const placeholder = 'koa';

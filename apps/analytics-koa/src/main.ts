export const placeholder = 'analytics-koa';

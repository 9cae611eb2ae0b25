export const placeholder = 'dev-idp';

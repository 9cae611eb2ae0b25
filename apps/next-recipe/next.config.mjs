/** @type {import('next').NextConfig} */
export default {
  // Gatehouse runs on the server only, from its published build; nothing to transpile or bundle.
  serverExternalPackages: ['@gatehouse/core', '@gatehouse/web'],
};

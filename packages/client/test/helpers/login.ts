import type { DevIdp } from '@gatehouse/dev-idp';
import { type LoginFunction, loginWithAuthorizationCode, type OidcClient } from '../../src/index.js';

/** A login function that drives the provider's pages headlessly instead of opening a browser. */
export function headlessLogin(client: OidcClient, idp: DevIdp, username = 'alice'): LoginFunction {
  return () =>
    loginWithAuthorizationCode(client, {
      port: 0,
      openBrowser: async (url) => {
        await idp.loginHeadless(url, { username, password: username }, { deliver: true });
      },
    });
}

/** A browser opener that fails the test if anything tries to open a browser. */
export const noBrowser = (): never => {
  throw new Error('a browser was opened');
};

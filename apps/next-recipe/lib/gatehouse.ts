import { lazyGatehouse } from '@gatehouse/web';

/**
 * The one gate of the app, configured by the GATEHOUSE_* variables of the running server. Built on its
 * first request: `next build` imports every route without those variables.
 */
export const auth = lazyGatehouse(() => ({ publicPaths: ['/api/health'] }));

import { guard } from '@gatehouse/web';
import { auth } from './lib/gatehouse';

// Next.js 16 runs proxy.ts on Node before every matched route: refusals end here (401/403/429/503 with
// the Gatehouse challenge and JSON body); admitted requests go on to their route.
export const proxy = guard(auth);

export const config = { matcher: '/api/:path*' };

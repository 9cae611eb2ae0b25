import { authOf, withGatehouse } from '@gatehouse/web';
import { auth } from '../../../lib/gatehouse';

export const dynamic = 'force-dynamic';

// The identity, for the handler: the proxy already verified the token, so this check is a cache hit.
export const GET = withGatehouse(auth, (_request, gated) => {
  const { subject, email, issuer, authType, isAdmin, scopes } = authOf(gated);
  return Response.json({ subject, email, issuer, authType, isAdmin, scopes });
});

import { withGatehouse } from '@gatehouse/web';
import { auth } from '../../../../lib/gatehouse';

export const dynamic = 'force-dynamic';

export const GET = withGatehouse(auth.admin(), () => Response.json({ admin: true }));

export const dynamic = 'force-dynamic';

// Not wrapped: only proxy.ts stands in front of this route.
export function GET(): Response {
  return Response.json({ plain: true });
}

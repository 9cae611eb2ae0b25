/**
 * The decision as attributes of the active span (OpenTelemetry tracing). Nothing happens unless the
 * application installed a tracer and a span is active and recording.
 */
import { type Attributes, ProxyTracerProvider, trace } from '@opentelemetry/api';

/** Span attribute names Gatehouse sets. `enduser.id` only when the application opts in. */
export const SPAN_ATTRIBUTES = Object.freeze({
  outcome: 'gatehouse.outcome',
  code: 'gatehouse.code',
  authType: 'gatehouse.auth_type',
  issuer: 'gatehouse.issuer',
  enduserId: 'enduser.id',
});

// Finding the active span goes through the API's global registry (tens of nanoseconds, a sizeable part
// of a cached decision), so it is skipped while no tracer SDK is registered. Whether one is, is looked up
// again every RECHECK_EVERY decisions: an SDK registered after the gate was built is seen that soon.
const RECHECK_EVERY = 1024;
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();
let decisionsUntilCheck = 0;
let tracerInstalled = false;

function tracing(): boolean {
  if (decisionsUntilCheck-- > 0) return tracerInstalled;
  decisionsUntilCheck = RECHECK_EVERY;
  const provider = trace.getTracerProvider();
  // A provider of another copy of the API is not a ProxyTracerProvider of this one: assume a tracer.
  tracerInstalled =
    !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_TRACER_PROVIDER;
  return tracerInstalled;
}

/**
 * Adds `attributes` (frozen, built once per label set) to the active span, and `enduser.id` when given.
 * @internal
 */
export function annotateActiveSpan(attributes: Attributes, enduserId: string | undefined): void {
  if (!tracing()) return;
  const span = trace.getActiveSpan();
  if (span === undefined || !span.isRecording()) return;
  span.setAttributes(attributes);
  if (enduserId !== undefined) span.setAttribute(SPAN_ATTRIBUTES.enduserId, enduserId);
}

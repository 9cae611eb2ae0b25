/**
 * The decision as attributes of the active span (OpenTelemetry tracing). Nothing happens unless the
 * application installed a tracer and a span is active and recording.
 */
import { type Attributes, trace } from '@opentelemetry/api';

/** Span attribute names Gatehouse sets. `enduser.id` only when the application opts in. */
export const SPAN_ATTRIBUTES = Object.freeze({
  outcome: 'gatehouse.outcome',
  code: 'gatehouse.code',
  authType: 'gatehouse.auth_type',
  issuer: 'gatehouse.issuer',
  enduserId: 'enduser.id',
});

/**
 * Adds `attributes` (frozen, built once per label set) to the active span, and `enduser.id` when given.
 * @internal
 */
export function annotateActiveSpan(attributes: Attributes, enduserId: string | undefined): void {
  const span = trace.getActiveSpan();
  if (span === undefined || !span.isRecording()) return;
  span.setAttributes(attributes);
  if (enduserId !== undefined) span.setAttribute(SPAN_ATTRIBUTES.enduserId, enduserId);
}

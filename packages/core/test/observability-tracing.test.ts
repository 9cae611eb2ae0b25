import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createAuthContext,
  DecisionRecorder,
  EMPTY_INSIGHT,
  SPAN_ATTRIBUTES,
  TokenExpiredError,
} from '../src/index.js';

const ISSUER = 'https://idp.example.com';
const alice = createAuthContext({ subject: 'alice', issuer: ISSUER, authType: 'oidc' });

describe('decision as span attributes', () => {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager = new AsyncLocalStorageContextManager();

  beforeAll(() => {
    // What an application's tracing set-up (e.g. the NodeSDK) registers.
    context.setGlobalContextManager(contextManager.enable());
    trace.setGlobalTracerProvider(tracerProvider);
  });
  afterAll(async () => {
    trace.disable();
    context.disable();
    await tracerProvider.shutdown();
  });
  beforeEach(() => exporter.reset());

  /** Runs `decide` inside an active span (as an HTTP instrumentation would) and returns its attributes. */
  async function inSpan(decide: () => void) {
    const span = tracerProvider.getTracer('test').startSpan('GET /v1/whoami');
    await context.with(trace.setSpan(context.active(), span), async () => {
      await Promise.resolve(); // across an await, like a real request
      decide();
    });
    span.end();
    return exporter.getFinishedSpans()[0]!.attributes;
  }

  it('adds outcome, code, auth type and issuer, and no enduser.id unless asked', async () => {
    const recorder = new DecisionRecorder({ issuers: [ISSUER], insight: () => EMPTY_INSIGHT });
    const attributes = await inSpan(() => recorder.accepted(alice));
    expect(attributes).toEqual({
      [SPAN_ATTRIBUTES.outcome]: 'accepted',
      [SPAN_ATTRIBUTES.code]: 'ok',
      [SPAN_ATTRIBUTES.authType]: 'oidc',
      [SPAN_ATTRIBUTES.issuer]: ISSUER,
    });
  });

  it('adds enduser.id when the application opts in', async () => {
    const recorder = new DecisionRecorder({
      issuers: [ISSUER],
      insight: () => EMPTY_INSIGHT,
      enduserId: true,
    });
    const attributes = await inSpan(() => recorder.accepted(alice));
    expect(attributes[SPAN_ATTRIBUTES.enduserId]).toBe('alice');
  });

  it('describes a refusal without any identity', async () => {
    const recorder = new DecisionRecorder({
      issuers: [ISSUER],
      insight: () => EMPTY_INSIGHT,
      enduserId: true,
    });
    const attributes = await inSpan(() => recorder.refused(new TokenExpiredError(ISSUER, 1)));
    expect(attributes).toEqual({
      [SPAN_ATTRIBUTES.outcome]: 'rejected',
      [SPAN_ATTRIBUTES.code]: 'token_expired',
      [SPAN_ATTRIBUTES.authType]: 'oidc',
      [SPAN_ATTRIBUTES.issuer]: ISSUER,
    });
  });

  it('does nothing without an active span', () => {
    const recorder = new DecisionRecorder({ issuers: [ISSUER], insight: () => EMPTY_INSIGHT });
    recorder.accepted(alice);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});

export const placeholder = 'telemetry-sender';

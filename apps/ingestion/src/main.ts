export const placeholder = 'ingestion';

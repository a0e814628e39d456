import { encodeVarint } from '../support/protobuf-varint.ts';

/**
 * ExportTraceServiceResponse (opentelemetry-proto collector/trace/v1), in the request's encoding.
 * All accepted is the empty message. Spans mend could not keep are reported as a partial success
 * (`rejected_spans` and why), which the OTLP specification asks for so that the sender can count
 * them, and which SDKs do not retry.
 */
export function exportResponse(json: boolean, rejected: number, why: string): string | Buffer {
  if (rejected === 0) return json ? '{}' : Buffer.alloc(0);
  if (json) {
    // proto3 JSON: int64 as a decimal string.
    return JSON.stringify({
      partialSuccess: { rejectedSpans: String(rejected), errorMessage: why },
    });
  }
  const message = Buffer.from(why, 'utf8');
  // ExportTracePartialSuccess: 1 rejected_spans (int64, varint), 2 error_message (string).
  const partial = Buffer.concat([
    Buffer.from([0x08]),
    encodeVarint(rejected),
    Buffer.from([0x12]),
    encodeVarint(message.length),
    message,
  ]);
  // ExportTraceServiceResponse: 1 partial_success (message).
  return Buffer.concat([Buffer.from([0x0a]), encodeVarint(partial.length), partial]);
}

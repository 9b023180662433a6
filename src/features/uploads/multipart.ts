/**
 * Reads the `file` part of a multipart/form-data request straight from the request stream
 * with busboy and hands each chunk to a FileSink as it arrives. The declared type is checked
 * as soon as the part's headers are in, the size as each chunk lands: an oversized or refused
 * upload stops the read there. While the sink is busy (sending a part to S3) the file stream
 * is paused, busboy stops accepting input and the request body is no longer pulled, so memory
 * holds what the sink buffers, however large the body.
 */
import busboy from "busboy";
import { HttpError, InputError, UnprocessableError } from "../../http/errors.ts";

/** Room for the multipart framing and small extra fields around the file. */
const ENVELOPE_BYTES = 64 * 1024;

export interface FilePart {
  filename: string;
  contentType: string;
}

/** Where the file's bytes go. abort() is called instead of finish() when the read fails. */
export interface FileSink<T> {
  write(chunk: Uint8Array): Promise<void>;
  finish(): Promise<T>;
  abort(): Promise<void>;
}

export interface MultipartLimits {
  maxFileSize: number;
  /** Throws (an HttpError) when the declared part type is not accepted. */
  checkType(contentType: string): void;
}

export class PayloadTooLargeError extends HttpError {
  constructor(maxFileSize: number) {
    super(413, `File size exceeds maximum of ${describeSize(maxFileSize)} (${maxFileSize} bytes)`);
  }
}

export function describeSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}

const missingFile = () => new UnprocessableError([{ type: "missing", loc: ["body", "file"], msg: "Field required" }]);

export async function receiveFile<T>(
  request: Request, limits: MultipartLimits, open: (part: FilePart) => FileSink<T>,
): Promise<T> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(type) || !request.body) throw missingFile();
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > limits.maxFileSize + ENVELOPE_BYTES) throw new PayloadTooLargeError(limits.maxFileSize);

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": type },
      // busboy reports `limit` on reaching fileSize: one byte more than allowed means too large.
      limits: { files: 1, fileSize: limits.maxFileSize + 1, fields: 16, fieldSize: 1024, parts: 32 },
    });
  } catch {
    throw new InputError("Malformed multipart body");
  }

  let failure: Error | undefined;
  let sink: FileSink<T> | undefined;
  // The sink's writes run one at a time, in order; the file stream waits while one is pending.
  let pending: Promise<void> = Promise.resolve();
  parser.on("file", (name, stream, info) => {
    stream.on("error", () => {}); // a truncated body fails the parser too; reported from there
    if (name !== "file" || sink || failure) {
      stream.resume();
      return;
    }
    const contentType = (info.mimeType || "application/octet-stream").split(";")[0]!.trim().toLowerCase();
    try {
      limits.checkType(contentType);
    } catch (error) {
      failure = error as Error;
      stream.resume();
      return;
    }
    const target = open({ filename: info.filename || "unnamed", contentType });
    sink = target;
    stream.on("data", (chunk: Buffer) => {
      if (failure) return;
      stream.pause();
      pending = target.write(chunk).then(
        () => { stream.resume(); },
        (error: Error) => { failure ??= error; stream.resume(); },
      );
    });
    stream.on("limit", () => { failure ??= new PayloadTooLargeError(limits.maxFileSize); });
  });
  const finished = new Promise<void>((resolve, reject) => {
    parser.on("close", resolve);
    parser.on("error", reject);
  });
  finished.catch(() => {});

  const reader = request.body.getReader();
  try {
    let total = 0;
    while (!failure) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limits.maxFileSize + ENVELOPE_BYTES) throw new PayloadTooLargeError(limits.maxFileSize);
      if (!parser.write(value)) await Promise.race([new Promise((r) => parser.once("drain", r)), finished]);
    }
    if (failure) throw failure;
    parser.end();
    await finished;
    await pending;
    if (failure) throw failure;
  } catch (error) {
    // Stop reading: the rest of the body is never pulled from the socket.
    void reader.cancel().catch(() => {});
    parser.destroy();
    await pending;
    await sink?.abort();
    if (error instanceof HttpError) throw error;
    throw new InputError(`Malformed multipart body: ${(error as Error).message}`);
  }
  if (!sink) throw missingFile();
  return sink.finish();
}

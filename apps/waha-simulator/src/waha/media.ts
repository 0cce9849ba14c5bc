/** The picture every simulated image message carries: a valid 16x16 baseline JPEG (WhatsApp green). */
export const SAMPLE_JPEG = Buffer.from(
  '/9j/2wCEABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2MBERISGBUYLxoaL2NCOEJjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY//AABEIABAAEAMBIgACEQEDEQH/xAGiAAABBQEBAQEBAQAAAAAAAAAAAQIDBAUGBwgJCgsQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+gEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoLEQACAQIEBAMEBwUEBAABAncAAQIDEQQFITEGEkFRB2FxEyIygQgUQpGhscEJIzNS8BVictEKFiQ04SXxFxgZGiYnKCkqNTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqCg4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2dri4+Tl5ufo6ery8/T19vf4+fr/2gAMAwEAAhEDEQA/ALVFFFcZ80f/2Q==',
  'base64',
);
export const SAMPLE_JPEG_WIDTH = 16;
export const SAMPLE_JPEG_HEIGHT = 16;

/** A voice note's mimetype as WhatsApp sends it (PTT: opus in ogg). */
export const VOICE_NOTE_MIMETYPE = 'audio/ogg; codecs=opus';

/** Stand-ins for the other media kinds: only their leading magic bytes are real (an importer never
 *  decodes them; a test may check that a download returns these exact bytes). */
export const SAMPLE_OGG = Buffer.from('OggS\u0000\u0002simulated voice note', 'latin1');
export const SAMPLE_MP4 = Buffer.concat([
  Buffer.from([0, 0, 0, 0x18]),
  Buffer.from('ftypmp42simulated video', 'latin1'),
]);
export const SAMPLE_PDF = Buffer.from('%PDF-1.4\n% simulated document\n%%EOF\n', 'latin1');

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'audio/ogg': 'oga',
  'video/mp4': 'mp4',
  'application/pdf': 'pdf',
};

/** File extension WAHA uses for a mimetype in `/api/files/{session}/{rawId}.{ext}`. */
export function extensionFor(mimetype: string): string {
  // Parameters (`audio/ogg; codecs=opus`) do not change the extension.
  return EXTENSIONS[mimetype.split(';')[0].trim().toLowerCase()] ?? 'bin';
}

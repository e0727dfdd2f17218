// The hub's sign-in link as a QR code (SVG), so a phone on the same network or tunnel joins by
// scanning. Error correction M: the link is short, and M still scans from a screen at an angle.
import * as QRCode from 'qrcode';

/** Quiet zone of 4 modules, as the QR standard asks: phones read it from a dark theme too. */
export const QR_OPTIONS = { type: 'svg', margin: 4, errorCorrectionLevel: 'M' } as const;

export function qrCodeSvg(text: string): Promise<string> {
  return QRCode.toString(text, QR_OPTIONS);
}

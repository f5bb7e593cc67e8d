/**
 * A session's User-Agent as a person recognises it ("Chrome en Android"), for Mi cuenta:
 * the raw string ("Mozilla/5.0 (Linux; Android 14; …) AppleWebKit/537.36 …") tells a
 * citizen nothing, and it is whatever the client sent. Only names from these fixed lists
 * are ever shown, never text taken from the header.
 */

export interface Device {
  browser?: string;
  system?: string;
}

/** Patterns in the order they are tried, each with the name shown when it matches first. */
type NameTable = readonly (readonly [RegExp, string])[];

// Order matters: Edge, Opera and Samsung Internet also say "Chrome", Chrome also says "Safari".
const BROWSERS: NameTable = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\b(?:Chrome|CriOS|Chromium)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];

// Android before Linux (Android says both), iPhone and iPad before macOS ("like Mac OS X").
const SYSTEMS: NameTable = [
  [/\bAndroid\b/, 'Android'],
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bWindows\b/, 'Windows'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

const firstMatch = (text: string, table: NameTable) => table.find(([pattern]) => pattern.test(text))?.[1];

export function describeDevice(userAgent: string | null | undefined): Device {
  if (!userAgent) return {};
  return { browser: firstMatch(userAgent, BROWSERS), system: firstMatch(userAgent, SYSTEMS) };
}

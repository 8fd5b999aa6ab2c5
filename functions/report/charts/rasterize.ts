// SVG to PNG with resvg. Lambda has no system fonts, and resvg draws text it has no font for as
// nothing at all, so the charts always use the DejaVu Sans files of the dejavu-fonts-ttf package
// and never the machine's fonts: a chart looks the same on a laptop and on Lambda.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { CHART_FONT } from './chartStyle.ts';

/** Pixels per SVG unit: sharp on high-density screens, still small as PNG. */
export const CHART_SCALE = 2;

let fontFiles: string[] | undefined;

/** The bundled TTF files; a deployment must ship the dejavu-fonts-ttf package beside resvg. */
export function chartFontFiles(): string[] {
  if (fontFiles) return fontFiles;
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  const files = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => path.join(dir, f));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length > 0) {
    throw new Error(`chart font missing: ${missing.join(', ')}; install the dejavu-fonts-ttf package (and ship it with the Lambda bundle), or chart text would silently disappear`);
  }
  fontFiles = files;
  return files;
}

export function resvgOptions(svgWidth: number): ResvgRenderOptions {
  return {
    fitTo: { mode: 'width', value: svgWidth * CHART_SCALE },
    font: { loadSystemFonts: false, fontFiles: chartFontFiles(), defaultFontFamily: CHART_FONT },
  };
}

export function svgToPng(svg: string, svgWidth: number): Buffer {
  return new Resvg(svg, resvgOptions(svgWidth)).render().asPng();
}

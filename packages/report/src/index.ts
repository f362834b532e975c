export { renderReport } from './render.ts';
export { chartSvg } from './svg.ts';
export { TEXTS } from './texts.ts';
export type * from './model.ts';

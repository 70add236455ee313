export { buildReport, writeReport, reportOptions, type Report, type ReportOptions } from './build.js';
export { renderReportHtml, formatCell, type ReportLanguage } from './render.js';
export { suppressTable, suppressShare, isSmallCount, type CountTable, type SuppressedTable } from './suppress.js';
export { yearlyMetricsSql, reportDimensions, type ReportDimension } from './metrics.js';
export { contactEpisodes, estimateImpact, type Episode, type ImpactEstimate, type ImpactOptions } from './impact.js';
export { renderSvg, svgRenderer, asOneImage, smallMultiplesSpec, calibrationSpec } from './charts.js';
export type { ReportTable, ReportColumn } from './tables.js';
export { intakeFactors } from './tables.js';
export { keyMetrics, type KeyFigure, type KeyFigures } from './key-figures.js';

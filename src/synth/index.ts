export { generateCohort, type GenerateOptions, type GenerateResult } from './generate.js';
export { params as latentProcess } from './params.js';
export { programmeAnswer, needCategories, needCategoryWeights } from './simulate.js';
export { writeKoskiExport } from './koski-export.js';

export { loadBottlenecks, checkinsFile, extraCheckinFacts, type Bottleneck, type CheckinDefinitions } from './bottlenecks.js';
export { planCheckins, planOptions, poissonLoadLimit, needCategories, type PlanOptions, type PlanSummary, type PlannedCheckin, type NeedCategory } from './plan.js';
export { checkinMigrations } from './schema.js';
export { gatewayRecord, gatewayJsonl, type GatewayRecord } from './gateway.js';
export { estimateCheckinEffect, checkinEpisodes, type CheckinEffect, type CheckinEffectOptions } from './effect.js';

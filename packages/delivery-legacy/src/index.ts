export { forwardedForChain } from './forwarded-for.js';
export type { LegacyPushOptions } from './legacy-push-options.js';
export { type LegacyPushRoutesOptions, legacyPushRoutes } from './legacy-push-routes.js';
export { LegacyPushService, type UpgradeRequest } from './legacy-push-service.js';
export type { LegacyStats, MessageCounts } from './legacy-stats.js';

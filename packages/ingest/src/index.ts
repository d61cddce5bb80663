export {
  RedisIngest,
  type RedisIngestOptions,
  type RedisIngestState,
  type RedisIngestStats,
} from './redis-ingest.js';

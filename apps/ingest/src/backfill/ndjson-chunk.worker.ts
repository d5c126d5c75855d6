/** Piscina worker (see NdjsonChunkPreparer): prepares backfill chunks off the thread that publishes them. */
import { prepareChunk } from './ndjson-chunk';

export default prepareChunk;

package dev.memorymcp.embedding;

/**
 * Counters of one {@link EmbeddingVerticle} instance since it started.
 *
 * @param requests embed requests accepted (valid ones)
 * @param cacheHits texts answered from the cache
 * @param cacheMisses texts that had to go to the model
 * @param modelCalls model calls, one per micro-batch flush
 * @param textsEmbedded distinct texts the model embedded
 */
public record EmbeddingStats(long requests, long cacheHits, long cacheMisses, long modelCalls,
    long textsEmbedded) {}

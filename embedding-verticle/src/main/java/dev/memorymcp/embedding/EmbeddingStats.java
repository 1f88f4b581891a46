package dev.memorymcp.embedding;

/**
 * Counters of one {@link EmbeddingVerticle} instance since it started.
 *
 * @param requests embed requests accepted (valid ones)
 * @param cacheHits texts answered from the cache
 * @param cacheMisses texts that had to go to the model
 * @param modelCalls model calls of the foreground (requests), one per micro-batch flush
 * @param textsEmbedded distinct texts the foreground embedded
 * @param backgroundTexts distinct texts the background lane embedded
 * @param backgroundNice the background lane thread's nice value; -1 before its first model call
 *     or where /proc does not say
 */
public record EmbeddingStats(long requests, long cacheHits, long cacheMisses, long modelCalls,
    long textsEmbedded, long backgroundTexts, int backgroundNice) {}

package dev.memorymcp.storage.sqlite;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.index.FilterMergePolicy;
import org.apache.lucene.index.MergeTrigger;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.TieredMergePolicy;

/**
 * Keeps every segment a merge makes at most {@code segmentDocs} live documents, so no HNSW graph
 * outgrows the size its search's ef is meant for. Natural merges (and those on a refresh) are the
 * tiered policy's, less any that would pass the cap (the policy counts bytes: {@link LuceneFiles#capSegments} also sets its
 * byte limit to about the cap, so it rarely proposes one). A forced merge packs the segments into as
 * few as hold the cap (first fit, largest first) instead of the tiered policy's count.
 */
final class SegmentCap extends FilterMergePolicy {
  private final int segmentDocs;

  SegmentCap(TieredMergePolicy tiered, int segmentDocs) {
    super(tiered);
    this.segmentDocs = segmentDocs;
  }

  /** The wrapped policy, whose byte limit {@link LuceneFiles#capSegments} sets. */
  TieredMergePolicy tiered() {
    return (TieredMergePolicy) in;
  }

  @Override
  public MergeSpecification findMerges(MergeTrigger trigger, SegmentInfos infos, MergeContext context)
      throws IOException {
    return withinCap(super.findMerges(trigger, infos, context), context);
  }

  /** The merges on a refresh or commit (Lucene's default asks the tiered policy directly). */
  @Override
  public MergeSpecification findFullFlushMerges(MergeTrigger trigger, SegmentInfos infos, MergeContext context)
      throws IOException {
    return withinCap(super.findFullFlushMerges(trigger, infos, context), context);
  }

  @Override
  public MergeSpecification findForcedDeletesMerges(SegmentInfos infos, MergeContext context) throws IOException {
    return withinCap(super.findForcedDeletesMerges(infos, context), context);
  }

  /** Packs the segments to merge into segments of at most the cap, whatever count was asked. */
  @Override
  public MergeSpecification findForcedMerges(SegmentInfos infos, int maxSegmentCount,
      Map<SegmentCommitInfo, Boolean> segmentsToMerge, MergeContext context) throws IOException {
    Set<SegmentCommitInfo> merging = context.getMergingSegments();
    Map<SegmentCommitInfo, Integer> live = new java.util.HashMap<>();
    for (SegmentCommitInfo info : infos) {
      if (segmentsToMerge.containsKey(info) && !merging.contains(info)) {
        live.put(info, liveDocs(info, context));
      }
    }
    List<SegmentCommitInfo> eligible = new ArrayList<>(live.keySet());
    eligible.sort(Comparator.comparingInt((SegmentCommitInfo info) -> live.get(info)).reversed());
    List<List<SegmentCommitInfo>> bins = new ArrayList<>();
    List<Integer> binDocs = new ArrayList<>();
    for (SegmentCommitInfo info : eligible) {
      int docs = live.get(info);
      int bin = 0;
      while (bin < bins.size() && binDocs.get(bin) + docs > segmentDocs) {
        bin++;
      }
      if (bin == bins.size()) {
        bins.add(new ArrayList<>());
        binDocs.add(0);
      }
      bins.get(bin).add(info);
      binDocs.set(bin, binDocs.get(bin) + docs);
    }
    MergeSpecification spec = new MergeSpecification();
    for (List<SegmentCommitInfo> bin : bins) {
      if (bin.size() > 1) {
        spec.add(new OneMerge(bin));
      }
    }
    return spec.merges.isEmpty() ? null : spec;
  }

  private MergeSpecification withinCap(MergeSpecification spec, MergeContext context) throws IOException {
    if (spec == null) {
      return null;
    }
    MergeSpecification kept = new MergeSpecification();
    for (OneMerge merge : spec.merges) {
      long docs = 0;
      for (SegmentCommitInfo info : merge.segments) {
        docs += liveDocs(info, context);
      }
      if (docs <= segmentDocs || merge.segments.size() == 1) { // one segment: only its deletions go
        kept.add(merge);
      }
    }
    return kept.merges.isEmpty() ? null : kept;
  }

  private static int liveDocs(SegmentCommitInfo info, MergeContext context) throws IOException {
    return info.info.maxDoc() - context.numDeletesToMerge(info);
  }
}

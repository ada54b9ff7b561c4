package dev.tessera.batch.backfill;

import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.Event;
import dev.tessera.engine.event.EventType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One reduce partition's events and spine rows, decoded from {@link EventBlocks} into primitive
 * columns. Strings that repeat are interned to ids of one partition-wide dictionary (so an entity
 * key is an int on both sides); event ids stay as bytes in their block and are only numbered per
 * entity ({@link #numberIds}), so the table holds no per-event objects.
 */
final class EventTable {
  private final EventLayout layout;
  private final PointInTimeJoin.Entity entity;

  // the partition-wide dictionary
  final List<String> names = new ArrayList<>();
  private final Map<String, Integer> ids = new HashMap<>();
  // the current block's dictionary: its index -> partition-wide id
  private int[] local = new int[64];
  private int localSize;

  // events
  int size;
  int[] key = new int[1024];
  int[] member = new int[1024];
  int[] title = new int[1024];
  byte[] type = new byte[1024];
  byte[] stream = new byte[1024];
  long[] time = new long[1024];
  long[] ingested = new long[1024];
  int[] partition = new int[1024];
  long[] offset = new long[1024];
  private int[] idBlock = new int[1024];
  private long[] idAt = new long[1024];
  private int[] idNumber = new int[1024];
  private int[] idSlots = new int[0];
  private final List<String> idNames = new ArrayList<>();
  private int[] watched = new int[0];
  private int[] rating = new int[0];
  private String[] query = new String[0];
  private double[] bandwidth = new double[0];
  private double[] latency = new double[0];
  private int[] resolution = new int[0];
  private int[] genreFrom = new int[0];
  private int[] genreIds = new int[64];
  private int genreCount;
  private boolean[] unknownTitle = new boolean[0];
  private final List<byte[]> blocks = new ArrayList<>();

  // spine rows
  int spineSize;
  int[] spineKey = new int[1024];
  long[] rowId = new long[1024];
  long[] asOf = new long[1024];

  EventTable(EventLayout layout, PointInTimeJoin.Entity entity) {
    this.layout = layout;
    this.entity = entity;
    resizeOptional(key.length);
  }

  /** Decodes one block (either kind). */
  void add(byte[] block) {
    EventBlocks.Reader r = new EventBlocks.Reader(block, 1);
    localSize = 0;
    if (block[0] == EventBlocks.SPINE) {
      while (!r.atEnd()) {
        growSpine();
        spineKey[spineSize] = ref(r);
        rowId[spineSize] = r.readZigZag();
        asOf[spineSize] = r.readZigZag();
        spineSize++;
      }
      return;
    }
    int blockIndex = blocks.size();
    blocks.add(block);
    while (!r.atEnd()) {
      growEvents();
      int i = size;
      member[i] = ref(r);
      title[i] = layout.title() ? ref(r) : -1;
      type[i] = (byte) r.readByte();
      stream[i] = (byte) EventType.ofOrdinal(type[i]).stream().ordinal();
      long t = r.readZigZag();
      time[i] = t;
      ingested[i] = t + r.readZigZag();
      partition[i] = r.readInt();
      offset[i] = r.readZigZag();
      idBlock[i] = blockIndex;
      idAt[i] = r.skipString();
      if (layout.watchedSeconds()) {
        watched[i] = r.readInt();
      }
      if (layout.rating()) {
        rating[i] = r.readInt();
      }
      if (layout.query()) {
        query[i] = r.readNullableString();
      }
      if (layout.bandwidth()) {
        bandwidth[i] = r.readDouble();
      }
      if (layout.latency()) {
        latency[i] = r.readDouble();
      }
      if (layout.resolution()) {
        resolution[i] = ref(r);
      }
      if (layout.genres()) {
        int n = r.readInt();
        genreFrom[i] = genreCount;
        for (int g = 0; g < n; g++) {
              if (genreCount == genreIds.length) {
            genreIds = Arrays.copyOf(genreIds, genreCount * 2);
          }
          genreIds[genreCount++] = ref(r);
        }
        genreFrom[i + 1] = genreCount;
        unknownTitle[i] = r.readByte() != 0;
      }
      key[i] = entity == PointInTimeJoin.Entity.MEMBER ? member[i] : title[i];
      size++;
    }
  }

  /** A dictionary reference of the block, as a partition-wide id (-1 for null). */
  private int ref(EventBlocks.Reader r) {
    int v = r.readInt();
    if (v == 0) {
      return -1;
    }
    int i = v - 1;
    if (i < localSize) {
      return local[i];
    }
    if (i != localSize) {
      throw new IllegalStateException("dictionary reference out of order");
    }
    String s = r.readString();
    Integer id = ids.get(s);
    if (id == null) {
      id = names.size();
      names.add(s);
      ids.put(s, id);
    }
    if (i == local.length) {
      local = Arrays.copyOf(local, i * 2);
    }
    local[i] = id;
    localSize = i + 1;
    return id;
  }

  private void growEvents() {
    if (size + 2 <= key.length) {
      return;
    }
    int n = key.length * 2;
    key = Arrays.copyOf(key, n);
    member = Arrays.copyOf(member, n);
    title = Arrays.copyOf(title, n);
    type = Arrays.copyOf(type, n);
    stream = Arrays.copyOf(stream, n);
    time = Arrays.copyOf(time, n);
    ingested = Arrays.copyOf(ingested, n);
    partition = Arrays.copyOf(partition, n);
    offset = Arrays.copyOf(offset, n);
    idBlock = Arrays.copyOf(idBlock, n);
    idAt = Arrays.copyOf(idAt, n);
    idNumber = Arrays.copyOf(idNumber, n);
    resizeOptional(n);
  }

  private void resizeOptional(int n) {
    if (layout.watchedSeconds()) {
      watched = Arrays.copyOf(watched, n);
    }
    if (layout.rating()) {
      rating = Arrays.copyOf(rating, n);
    }
    if (layout.query()) {
      query = Arrays.copyOf(query, n);
    }
    if (layout.bandwidth()) {
      bandwidth = Arrays.copyOf(bandwidth, n);
    }
    if (layout.latency()) {
      latency = Arrays.copyOf(latency, n);
    }
    if (layout.resolution()) {
      resolution = Arrays.copyOf(resolution, n);
    }
    if (layout.genres()) {
      genreFrom = Arrays.copyOf(genreFrom, n + 1);
      unknownTitle = Arrays.copyOf(unknownTitle, n);
    }
  }

  private void growSpine() {
    if (spineSize < spineKey.length) {
      return;
    }
    int n = spineKey.length * 2;
    spineKey = Arrays.copyOf(spineKey, n);
    rowId = Arrays.copyOf(rowId, n);
    asOf = Arrays.copyOf(asOf, n);
  }

  /** Number of dictionary ids (entity keys are among them). */
  int idCount() {
    return names.size();
  }

  EventType type(int i) {
    return EventType.ofOrdinal(type[i]);
  }

  /** The stream ordinal of event i. */
  int stream(int i) {
    return stream[i];
  }

  /**
   * Numbers the distinct event ids among one entity's events {@code events[0..n)}: equal ids (the
   * same bytes and, for a title, the same member) get the same number, 0, 1, 2, ... in order of
   * first appearance; {@link #event} then names each event by its number. Hashes only group the
   * ids, their bytes decide, so two events share a number exactly when their ids are equal: the
   * kernel's duplicate check sees the same equalities as with the archived ids, without a string
   * decoded per event.
   */
  void numberIds(int[] events, int n) {
    int capacity = Integer.highestOneBit(Math.max(4, n) * 2 - 1) * 2;
    if (idSlots.length < capacity) {
      idSlots = new int[capacity];
    } else {
      Arrays.fill(idSlots, 0, capacity, 0);
    }
    int mask = capacity - 1;
    int distinct = 0;
    for (int j = 0; j < n; j++) {
      int e = events[j];
      int h = idHash(e);
      int slot = h & mask;
      int other;
      while ((other = idSlots[slot]) != 0 && !sameId(other - 1, e)) {
        slot = (slot + 1) & mask;
      }
      if (other == 0) {
        idSlots[slot] = e + 1;
        idNumber[e] = distinct++;
      } else {
        idNumber[e] = idNumber[other - 1];
      }
    }
    while (idNames.size() < distinct) {
      idNames.add(Integer.toString(idNames.size()));
    }
  }

  private int idHash(int e) {
    byte[] b = blocks.get(idBlock[e]);
    long at = idAt[e];
    int h = entity == PointInTimeJoin.Entity.TITLE ? member[e] : 0;
    for (int p = (int) (at >>> 32), end = p + (int) at; p < end; p++) {
      h = 31 * h + b[p];
    }
    return h ^ (h >>> 16) ^ (h >>> 8);
  }

  private boolean sameId(int a, int b) {
    if (entity == PointInTimeJoin.Entity.TITLE && member[a] != member[b]) {
      return false;
    }
    long atA = idAt[a];
    long atB = idAt[b];
    int fromA = (int) (atA >>> 32);
    int fromB = (int) (atB >>> 32);
    return Arrays.equals(
        blocks.get(idBlock[a]), fromA, fromA + (int) atA,
        blocks.get(idBlock[b]), fromB, fromB + (int) atB);
  }

  private String name(int id) {
    return id < 0 ? null : names.get(id);
  }

  /**
   * Event i as the kernel sees it, named by its id's number ({@link #numberIds}, called for its
   * entity first). A title's event is keyed by its title; its id's number already tells members
   * apart (see {@link PointInTimeJoin.Entity#TITLE}).
   */
  EnrichedEvent event(int i) {
    String titleId = name(title[i]);
    Event e =
        new Event(
            idNames.get(idNumber[i]),
            entity == PointInTimeJoin.Entity.TITLE ? titleId : names.get(member[i]),
            EventType.ofOrdinal(type[i]),
            time[i],
            1,
            titleId,
            layout.watchedSeconds() ? watched[i] : 0,
            layout.rating() ? rating[i] : 0,
            layout.query() ? query[i] : null,
            layout.bandwidth() ? bandwidth[i] : 0,
            layout.latency() ? latency[i] : 0,
            layout.resolution() ? name(resolution[i]) : null);
    if (!layout.genres()) {
      return new EnrichedEvent(e, List.of(), false);
    }
    String[] g = new String[genreFrom[i + 1] - genreFrom[i]];
    for (int k = 0; k < g.length; k++) {
      g[k] = names.get(genreIds[genreFrom[i] + k]);
    }
    return new EnrichedEvent(e, List.of(g), unknownTitle[i]);
  }

  /** Event i with its log position and ingestion instant (the slow, exact fallback's input). */
  TimedEvent timed(int i) {
    return new TimedEvent(event(i), partition[i], offset[i], ingested[i]);
  }
}

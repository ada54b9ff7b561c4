package dev.tessera.batch.backfill;

import dev.tessera.engine.event.EventType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Tuple2;

/**
 * The shuffle format of a point-in-time join: events and spine rows packed, on the map side, into
 * one byte block per destination bucket (the hash of the entity key), so the shuffle moves a few
 * large byte arrays instead of millions of rows, and the reduce side decodes them straight into
 * primitive columns ({@link EventTable}).
 *
 * <p>A block is a kind byte ({@link #EVENTS} or {@link #SPINE}) and records. Strings that repeat
 * (member, title, resolution, genre) go through a per-block dictionary: a reference is a varint,
 * 0 for null, else index + 1, and an index equal to the dictionary's size introduces a new entry
 * (its UTF-8 bytes follow). Event record: member ref, title ref (if carried), type ordinal,
 * event_time (zigzag), ingested_at - event_time (zigzag), partition, offset (zigzag), event_id
 * (length + UTF-8), then the optional fields of the {@link EventLayout}. Spine record: key ref,
 * row_id (zigzag), as_of (zigzag).
 */
final class EventBlocks {
  static final byte EVENTS = 0;
  static final byte SPINE = 1;

  /** A block is handed to the shuffle when it reaches this size (bounds map-side memory). */
  static final int BLOCK_BYTES = 4 << 20;

  private EventBlocks() {}

  private static final UTF8String[] TYPES =
      java.util.Arrays.stream(EventType.values())
          .map(t -> UTF8String.fromString(t.wireName()))
          .toArray(UTF8String[]::new);

  /** The ordinal of a wire type name, without decoding it to a String. */
  static int typeOrdinal(UTF8String wire) {
    int guess = guessType(wire);
    if (guess >= 0 && TYPES[guess].equals(wire)) {
      return guess;
    }
    for (int i = 0; i < TYPES.length; i++) {
      if (TYPES[i].equals(wire)) {
        return i;
      }
    }
    throw new IllegalArgumentException("unknown event type " + wire);
  }

  /** The only type the name can be, from its first byte and length (-1 if none); then verified. */
  private static int guessType(UTF8String wire) {
    if (wire.numBytes() == 0) {
      return -1;
    }
    int n = wire.numBytes();
    return switch (wire.getByte(0)) {
      case 'p' -> n == 4 ? EventType.PLAY.ordinal() : EventType.PAUSE.ordinal();
      case 's' ->
          n == 4
              ? EventType.STOP.ordinal()
              : n > 1 && wire.getByte(1) == 'e'
                  ? EventType.SEARCH.ordinal()
                  : EventType.SCROLL.ordinal();
      case 'c' -> EventType.CLICK.ordinal();
      case 'i' -> EventType.IMPRESSION.ordinal();
      case 'r' -> EventType.RATE.ordinal();
      case 'd' -> EventType.DEVICE.ordinal();
      default -> -1;
    };
  }

  /** The bucket of an entity key: the same function on both sides of the join. */
  static int bucket(UTF8String key, int buckets) {
    return Math.floorMod(key.hashCode(), buckets);
  }

  /**
   * Encodes archive rows projected to {@link EventLayout#columns()} (non-null key), lazily: blocks
   * are returned as they fill.
   *
   * @param keyColumn ordinal of the entity key among the projected columns
   */
  static Iterator<Tuple2<Integer, byte[]>> encodeEvents(
      Iterator<InternalRow> rows, EventLayout layout, int keyColumn, int buckets) {
    return new Encoder(rows, EVENTS, buckets) {
      @Override
      void write(InternalRow r, Block b) {
        b.ref(r.getUTF8String(0));
        int c = 7;
        if (layout.title()) {
          b.ref(r.isNullAt(c) ? null : r.getUTF8String(c));
          c++;
        }
        b.out.writeByte(typeOrdinal(r.getUTF8String(2)));
        long time = r.getLong(3);
        b.out.writeZigZag(time);
        b.out.writeZigZag(r.getLong(4) - time);
        b.out.writeZigZag(r.getInt(5));
        b.out.writeZigZag(r.getLong(6));
        b.out.writeUtf8(r.getUTF8String(1));
        if (layout.watchedSeconds()) {
          b.out.writeZigZag(r.getInt(c++));
        }
        if (layout.rating()) {
          b.out.writeZigZag(r.getInt(c++));
        }
        if (layout.query()) {
          b.out.writeNullableUtf8(r.isNullAt(c) ? null : r.getUTF8String(c));
          c++;
        }
        if (layout.bandwidth()) {
          b.out.writeDouble(r.getDouble(c++));
        }
        if (layout.latency()) {
          b.out.writeDouble(r.getDouble(c++));
        }
        if (layout.resolution()) {
          b.ref(r.isNullAt(c) ? null : r.getUTF8String(c));
          c++;
        }
        if (layout.genres()) {
          ArrayData g = r.isNullAt(c) ? null : r.getArray(c);
          int n = g == null ? 0 : g.numElements();
          b.out.writeZigZag(n);
          for (int i = 0; i < n; i++) {
            b.ref(g.getUTF8String(i));
          }
          c++;
          b.out.writeByte(r.getBoolean(c) ? 1 : 0);
        }
      }

      @Override
      UTF8String key(InternalRow r) {
        return r.getUTF8String(keyColumn);
      }
    };
  }

  /** Encodes spine rows {@code (key, row_id, as_of)} with a non-null key. */
  static Iterator<Tuple2<Integer, byte[]>> encodeSpine(Iterator<InternalRow> rows, int buckets) {
    return new Encoder(rows, SPINE, buckets) {
      @Override
      void write(InternalRow r, Block b) {
        b.ref(r.getUTF8String(0));
        b.out.writeZigZag(r.getLong(1));
        b.out.writeZigZag(r.getLong(2));
      }

      @Override
      UTF8String key(InternalRow r) {
        return r.getUTF8String(0);
      }
    };
  }

  /** One bucket's block under construction. */
  static final class Block {
    final Bytes out = new Bytes(1 << 12);
    private final Utf8Dictionary dictionary = new Utf8Dictionary();

    Block(byte kind) {
      out.writeByte(kind);
    }

    /** A dictionary reference (null allowed). Rows are reused by Spark: new keys are copied. */
    void ref(UTF8String s) {
      if (s == null) {
        out.writeZigZag(0);
        return;
      }
      int i = dictionary.indexOf(s);
      if (i >= 0) {
        out.writeZigZag(i + 1L);
        return;
      }
      out.writeZigZag(dictionary.add(s) + 1L);
      out.writeUtf8(s);
    }
  }

  private abstract static class Encoder implements Iterator<Tuple2<Integer, byte[]>> {
    private final Iterator<InternalRow> rows;
    private final byte kind;
    private final Block[] blocks;
    private final ArrayDeque<Tuple2<Integer, byte[]>> ready = new ArrayDeque<>();
    private boolean flushed;

    Encoder(Iterator<InternalRow> rows, byte kind, int buckets) {
      this.rows = rows;
      this.kind = kind;
      this.blocks = new Block[buckets];
    }

    abstract void write(InternalRow r, Block b);

    abstract UTF8String key(InternalRow r);

    @Override
    public boolean hasNext() {
      while (ready.isEmpty() && rows.hasNext()) {
        InternalRow r = rows.next();
        int bucket = bucket(key(r), blocks.length);
        Block b = blocks[bucket];
        if (b == null) {
          b = blocks[bucket] = new Block(kind);
        }
        write(r, b);
        if (b.out.size() >= BLOCK_BYTES) {
          ready.add(new Tuple2<>(bucket, b.out.toBytes()));
          blocks[bucket] = null;
        }
      }
      if (ready.isEmpty() && !flushed) {
        flushed = true;
        for (int i = 0; i < blocks.length; i++) {
          if (blocks[i] != null) {
            ready.add(new Tuple2<>(i, blocks[i].out.toBytes()));
            blocks[i] = null;
          }
        }
      }
      return !ready.isEmpty();
    }

    @Override
    public Tuple2<Integer, byte[]> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return ready.poll();
    }
  }

  /**
   * Strings to their index in insertion order: open addressing on the strings' murmur3 hashes (the
   * one {@link UTF8String} already computes), no boxing. Added strings are copied (Spark reuses its
   * row buffers).
   */
  static final class Utf8Dictionary {
    private UTF8String[] slots = new UTF8String[256];
    private int[] hashes = new int[256];
    private int[] index = new int[256];
    private int size;
    private int lastSlot;

    /** The string's index, or -1 (then {@link #add} adds it to the slot just probed). */
    int indexOf(UTF8String s) {
      int h = s.hashCode();
      int mask = slots.length - 1;
      int i = mix(h) & mask;
      while (slots[i] != null) {
        if (hashes[i] == h && slots[i].equals(s)) {
          return index[i];
        }
        i = (i + 1) & mask;
      }
      lastSlot = i;
      return -1;
    }

    int add(UTF8String s) {
      int i = lastSlot;
      slots[i] = s.clone();
      hashes[i] = s.hashCode();
      index[i] = size;
      if (++size * 2 > slots.length) {
        grow();
      }
      return size - 1;
    }

    private static int mix(int h) {
      return (h * 0x9E3779B9) >>> 7;
    }

    private void grow() {
      UTF8String[] oldSlots = slots;
      int[] oldHashes = hashes;
      int[] oldIndex = index;
      slots = new UTF8String[oldSlots.length * 2];
      hashes = new int[slots.length];
      index = new int[slots.length];
      int mask = slots.length - 1;
      for (int j = 0; j < oldSlots.length; j++) {
        if (oldSlots[j] != null) {
          int i = mix(oldHashes[j]) & mask;
          while (slots[i] != null) {
            i = (i + 1) & mask;
          }
          slots[i] = oldSlots[j];
          hashes[i] = oldHashes[j];
          index[i] = oldIndex[j];
        }
      }
    }
  }

  /** A growable byte buffer with varint writes. */
  static final class Bytes {
    private byte[] buf;
    private int size;

    Bytes(int capacity) {
      buf = new byte[capacity];
    }

    int size() {
      return size;
    }

    byte[] toBytes() {
      return Arrays.copyOf(buf, size);
    }

    private void ensure(int n) {
      if (size + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
      }
    }

    void writeByte(int b) {
      ensure(1);
      buf[size++] = (byte) b;
    }

    void writeZigZag(long v) {
      long u = (v << 1) ^ (v >> 63);
      ensure(10);
      while ((u & ~0x7FL) != 0) {
        buf[size++] = (byte) ((u & 0x7F) | 0x80);
        u >>>= 7;
      }
      buf[size++] = (byte) u;
    }

    void writeDouble(double d) {
      long v = Double.doubleToRawLongBits(d);
      ensure(8);
      for (int i = 0; i < 8; i++) {
        buf[size++] = (byte) (v >>> (8 * i));
      }
    }

    void writeUtf8(UTF8String s) {
      int n = s.numBytes();
      writeZigZag(n);
      ensure(n);
      s.writeToMemory(buf, org.apache.spark.unsafe.Platform.BYTE_ARRAY_OFFSET + size);
      size += n;
    }

    void writeNullableUtf8(UTF8String s) {
      if (s == null) {
        writeZigZag(-1);
      } else {
        writeUtf8(s);
      }
    }
  }

  /** Reads a block written by {@link Bytes}. */
  static final class Reader {
    final byte[] buf;
    int pos;

    Reader(byte[] buf, int pos) {
      this.buf = buf;
      this.pos = pos;
    }

    boolean atEnd() {
      return pos >= buf.length;
    }

    int readByte() {
      return buf[pos++];
    }

    long readZigZag() {
      long u = 0;
      int shift = 0;
      while (true) {
        byte b = buf[pos++];
        u |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          break;
        }
        shift += 7;
      }
      return (u >>> 1) ^ -(u & 1);
    }

    int readInt() {
      return (int) readZigZag();
    }

    double readDouble() {
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v |= (buf[pos++] & 0xFFL) << (8 * i);
      }
      return Double.longBitsToDouble(v);
    }

    String readString() {
      int n = readInt();
      String s = new String(buf, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    /** The position and length of the next string's bytes, skipping them: packed as pos << 32 | n. */
    long skipString() {
      int n = readInt();
      long at = ((long) pos << 32) | n;
      pos += n;
      return at;
    }

    String readNullableString() {
      int n = readInt();
      if (n < 0) {
        return null;
      }
      String s = new String(buf, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }
  }
}

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

  /**
   * Encodes archive rows, lazily: blocks are returned as they fill. Rows without an entity key are
   * left out.
   *
   * @param at the ordinal in the scanned row of each {@link EventLayout#columns()} column
   * @param keyColumn the entity key's index among {@link EventLayout#columns()}
   */
  static Iterator<Tuple2<Integer, byte[]>> encodeEvents(
      ScanRows rows, EventLayout layout, int[] at, int keyColumn, int buckets) {
    return new Encoder(rows, EVENTS, buckets) {
      private int[] typeOfId = new int[16];
      private int member;
      private int title;

      @Override
      int key() {
        member = rows.stringId(at[0]);
        title = layout.title() ? rows.stringId(at[7]) : -1;
        return keyColumn == 0 ? member : title;
      }

      @Override
      void write(Block b) {
        InternalRow r = rows.row();
        b.ref(member);
        int c = 7;
        if (layout.title()) {
          b.ref(title);
          c++;
        }
        b.out.writeByte(type(rows.stringId(at[2])));
        long time = r.getLong(at[3]);
        b.out.writeZigZag(time);
        b.out.writeZigZag(r.getLong(at[4]) - time);
        b.out.writeZigZag(r.getInt(at[5]));
        b.out.writeZigZag(r.getLong(at[6]));
        b.out.writeUtf8(r.getUTF8String(at[1]));
        if (layout.watchedSeconds()) {
          b.out.writeZigZag(r.getInt(at[c++]));
        }
        if (layout.rating()) {
          b.out.writeZigZag(r.getInt(at[c++]));
        }
        if (layout.query()) {
          b.out.writeNullableUtf8(r.isNullAt(at[c]) ? null : r.getUTF8String(at[c]));
          c++;
        }
        if (layout.bandwidth()) {
          b.out.writeDouble(r.getDouble(at[c++]));
        }
        if (layout.latency()) {
          b.out.writeDouble(r.getDouble(at[c++]));
        }
        if (layout.resolution()) {
          b.ref(rows.stringId(at[c++]));
        }
        if (layout.genres()) {
          ArrayData g = r.isNullAt(at[c]) ? null : r.getArray(at[c]);
          int n = g == null ? 0 : g.numElements();
          b.out.writeZigZag(n);
          for (int i = 0; i < n; i++) {
            b.ref(rows.ids().idOf(g.getUTF8String(i)));
          }
          c++;
          b.out.writeByte(r.getBoolean(at[c]) ? 1 : 0);
        }
      }

      /** The type ordinal of a type string's id (each id decoded once). */
      private int type(int id) {
        if (id < 0) {
          throw new IllegalArgumentException("event without a type");
        }
        if (id >= typeOfId.length) {
          typeOfId = Arrays.copyOf(typeOfId, Math.max(id + 1, typeOfId.length * 2));
        }
        if (typeOfId[id] == 0) {
          typeOfId[id] = typeOrdinal(rows.row().getUTF8String(at[2])) + 1;
        }
        return typeOfId[id] - 1;
      }
    };
  }

  /** Encodes spine rows {@code (key, row_id, as_of)}; rows without a key are left out. */
  static Iterator<Tuple2<Integer, byte[]>> encodeSpine(ScanRows rows, int buckets) {
    return new Encoder(rows, SPINE, buckets) {
      private int key;

      @Override
      int key() {
        key = rows.stringId(0);
        return key;
      }

      @Override
      void write(Block b) {
        b.ref(key);
        b.out.writeZigZag(rows.row().getLong(1));
        b.out.writeZigZag(rows.row().getLong(2));
      }
    };
  }

  /**
   * One bucket's block under construction. Its dictionary maps task-wide string ids to their index
   * in the block: each id remembers the block that last referenced it and its index there (an
   * entity key only ever goes to one bucket, so its lookups never go further), other strings fall
   * back to the block's own table.
   */
  static final class Block {
    final Bytes out = new Bytes(1 << 12);
    private final Encoder encoder;
    private final int serial;
    // open addressing on (id + 1, index) pairs in one array (one cache line per lookup)
    private int[] pairs = new int[2 * 256];
    private int size;

    private Block(byte kind, Encoder encoder) {
      this.encoder = encoder;
      this.serial = ++encoder.blockSerials;
      out.writeByte(kind);
    }

    /** A dictionary reference to the string of a task-wide id (-1 for null). */
    void ref(int id) {
      if (id < 0) {
        out.writeZigZag(0);
        return;
      }
      if (encoder.lastBlock(id) == serial) {
        out.writeZigZag(encoder.lastIndex[id] + 1L);
        return;
      }
      int mask = (pairs.length >> 1) - 1;
      int i = mix(id) & mask;
      int stored;
      while ((stored = pairs[2 * i]) != 0) {
        if (stored == id + 1) {
          int index = pairs[2 * i + 1];
          encoder.remember(id, serial, index);
          out.writeZigZag(index + 1L);
          return;
        }
        i = (i + 1) & mask;
      }
      pairs[2 * i] = id + 1;
      pairs[2 * i + 1] = size;
      encoder.remember(id, serial, size);
      out.writeZigZag(size + 1L);
      encoder.rows.ids().writeTo(id, out);
      if (++size * 2 > mask + 1) {
        grow();
      }
    }

    private static int mix(int id) {
      int h = id * 0x9E3779B9;
      return h ^ (h >>> 16);
    }

    private void grow() {
      int[] old = pairs;
      pairs = new int[old.length * 2];
      int mask = (pairs.length >> 1) - 1;
      for (int j = 0; j < old.length; j += 2) {
        if (old[j] != 0) {
          int i = mix(old[j] - 1) & mask;
          while (pairs[2 * i] != 0) {
            i = (i + 1) & mask;
          }
          pairs[2 * i] = old[j];
          pairs[2 * i + 1] = old[j + 1];
        }
      }
    }
  }

  private abstract static class Encoder implements Iterator<Tuple2<Integer, byte[]>> {
    private final ScanRows rows;
    private final byte kind;
    private final Block[] blocks;
    private final ArrayDeque<Tuple2<Integer, byte[]>> ready = new ArrayDeque<>();
    private boolean flushed;
    private int blockSerials;
    // per task-wide string id: the serial of the block that last referenced it, its index there
    private int[] lastBlock = new int[256];
    private int[] lastIndex = new int[256];

    Encoder(ScanRows rows, byte kind, int buckets) {
      this.rows = rows;
      this.kind = kind;
      this.blocks = new Block[buckets];
    }

    /** The current row's entity key as a task-wide string id; -1 for none. */
    abstract int key();

    /** Writes the current row (after {@link #key}). */
    abstract void write(Block b);

    @Override
    public boolean hasNext() {
      while (ready.isEmpty() && rows.next()) {
        int key = key();
        if (key < 0) {
          continue;
        }
        // the bucket of an entity key: the same function on both sides of the join
        int bucket = Math.floorMod(rows.ids().hash(key), blocks.length);
        Block b = blocks[bucket];
        if (b == null) {
          b = blocks[bucket] = new Block(kind, this);
        }
        write(b);
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

    private int lastBlock(int id) {
      return id < lastBlock.length ? lastBlock[id] : 0;
    }

    private void remember(int id, int block, int index) {
      if (id >= lastBlock.length) {
        int n = Math.max(id + 1, lastBlock.length * 2);
        lastBlock = Arrays.copyOf(lastBlock, n);
        lastIndex = Arrays.copyOf(lastIndex, n);
      }
      lastBlock[id] = block;
      lastIndex[id] = index;
    }

    @Override
    public Tuple2<Integer, byte[]> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return ready.poll();
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

    void writeUtf8(byte[] utf8, int from, int n) {
      writeZigZag(n);
      ensure(n);
      System.arraycopy(utf8, from, buf, size, n);
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

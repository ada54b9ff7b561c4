package dev.tessera.engine.state;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Varint / zigzag / compact-double writer and reader for the state's binary form. */
final class BinaryCodec {
  private BinaryCodec() {}

  private static final long NEGATIVE_ZERO = Double.doubleToRawLongBits(-0.0);

  static final class Writer {
    private byte[] buf = new byte[256];
    private int pos;

    private void ensure(int n) {
      if (pos + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
      }
    }

    void writeByte(int b) {
      ensure(1);
      buf[pos++] = (byte) b;
    }

    void writeVarLong(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[pos++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[pos++] = (byte) v;
    }

    void writeZigZag(long v) {
      writeVarLong((v << 1) ^ (v >> 63));
    }

    void writeLong(long v) {
      ensure(8);
      for (int i = 0; i < 8; i++) {
        buf[pos++] = (byte) (v >>> (8 * i));
      }
    }

    /** Integral doubles below 2^53 as a tagged zigzag varint, others as 8 raw bytes. */
    void writeDouble(double v) {
      long bits = Double.doubleToRawLongBits(v);
      if (v == Math.rint(v) && Math.abs(v) < 0x1p53 && bits != NEGATIVE_ZERO) {
        long z = ((long) v << 1) ^ ((long) v >> 63);
        writeVarLong(z << 1);
      } else {
        writeVarLong(1);
        writeLong(bits);
      }
    }

    void writeString(String s) {
      if (s == null) {
        writeVarLong(0);
        return;
      }
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      writeVarLong(b.length + 1L);
      ensure(b.length);
      System.arraycopy(b, 0, buf, pos, b.length);
      pos += b.length;
    }

    byte[] toBytes() {
      return Arrays.copyOf(buf, pos);
    }
  }

  static final class Reader {
    private final byte[] buf;
    private int pos;

    Reader(byte[] buf) {
      this.buf = buf;
    }

    int readByte() {
      check(1);
      return buf[pos++] & 0xFF;
    }

    long readVarLong() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = readByte();
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new IllegalArgumentException("corrupt varint");
    }

    int readVarInt() {
      long v = readVarLong();
      if (v < 0 || v > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("corrupt length " + v);
      }
      return (int) v;
    }

    long readZigZag() {
      long z = readVarLong();
      return (z >>> 1) ^ -(z & 1);
    }

    long readLong() {
      check(8);
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v |= (long) (buf[pos++] & 0xFF) << (8 * i);
      }
      return v;
    }

    double readDouble() {
      long tag = readVarLong();
      if (tag == 1) {
        return Double.longBitsToDouble(readLong());
      }
      long z = tag >>> 1;
      return (double) ((z >>> 1) ^ -(z & 1));
    }

    String readString() {
      int n = readVarInt();
      if (n == 0) {
        return null;
      }
      check(n - 1);
      String s = new String(buf, pos, n - 1, StandardCharsets.UTF_8);
      pos += n - 1;
      return s;
    }

    boolean atEnd() {
      return pos == buf.length;
    }

    private void check(int n) {
      if (pos + n > buf.length) {
        throw new IllegalArgumentException("truncated state");
      }
    }
  }
}

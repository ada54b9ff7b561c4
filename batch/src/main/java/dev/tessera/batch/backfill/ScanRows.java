package dev.tessera.batch.backfill;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Iterator;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.datasources.parquet.ParquetDictionary;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.array.ByteArrayMethods;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * One map task's input to {@link EventBlocks}, a row at a time: Spark's rows, or the Parquet
 * scan's columnar batches read in place (no conversion to rows), with a task-wide id for every
 * string that repeats ({@link #stringId}).
 *
 * <p>Why: archive rows arrive in time order, so consecutive rows belong to different members, and
 * turning a member column into strings row by row (a string object, a copy into a row, a hash
 * lookup through string objects) costs several cache misses per row over tens of thousands of
 * members: in a profile, more than half of the map side. A dictionary-encoded column instead gives each row the index of its
 * value in the column chunk's Parquet dictionary; that index is mapped to the task-wide id once per
 * chunk. The chunk's dictionary is recognised by identity (read reflectively: Spark has no public
 * accessor); where that is not possible the string is looked up row by row, same ids.
 */
final class ScanRows {
  private final Iterator<InternalRow> rows;
  private final Iterator<ColumnarBatch> batches;
  private final StringIds ids = new StringIds();
  private final DictionaryIds[] dictionaryIds;
  private InternalRow row;
  private ColumnarBatch batch;
  private int rowId;
  private int batchRows;

  private ScanRows(Iterator<InternalRow> rows, Iterator<ColumnarBatch> batches, int columns) {
    this.rows = rows;
    this.batches = batches;
    this.dictionaryIds = new DictionaryIds[columns];
  }

  /** Rows as Spark produces them. */
  static ScanRows of(Iterator<InternalRow> rows, int columns) {
    return new ScanRows(rows, null, columns);
  }

  /** The rows of a columnar scan's batches. */
  static ScanRows ofBatches(Iterator<ColumnarBatch> batches, int columns) {
    return new ScanRows(null, batches, columns);
  }

  /** Moves to the next row; false at the end. */
  boolean next() {
    if (batches == null) {
      if (!rows.hasNext()) {
        return false;
      }
      row = rows.next();
      return true;
    }
    while (batch == null || ++rowId >= batchRows) {
      if (!batches.hasNext()) {
        return false;
      }
      batch = batches.next();
      batchRows = batch.numRows();
      rowId = -1;
    }
    row = batch.getRow(rowId);
    return true;
  }

  /** The current row (a view that the next call to {@link #next} moves on). */
  InternalRow row() {
    return row;
  }

  /** The task's string ids. */
  StringIds ids() {
    return ids;
  }

  /** The task-wide id of the current row's string in column c; -1 for null. */
  int stringId(int c) {
    if (row.isNullAt(c)) {
      return -1;
    }
    if (batch != null
        && batch.column(c) instanceof WritableColumnVector v
        && v.hasDictionary()
        && DictionaryIds.READABLE) {
      DictionaryIds d = dictionaryIds[c];
      if (d == null) {
        d = dictionaryIds[c] = new DictionaryIds();
      }
      return d.id(v, rowId, ids);
    }
    return ids.idOf(row.getUTF8String(c));
  }

  /**
   * A column's Parquet dictionary indices mapped to task-wide ids, for the column chunk whose
   * dictionary it last saw (a new chunk, new dictionary object, starts a fresh mapping).
   */
  private static final class DictionaryIds {
    private static final VarHandle VECTOR_DICTIONARY;
    private static final VarHandle PARQUET_DICTIONARY;
    static final boolean READABLE;

    static {
      VarHandle vector = null;
      VarHandle parquet = null;
      try {
        vector =
            MethodHandles.privateLookupIn(WritableColumnVector.class, MethodHandles.lookup())
                .findVarHandle(
                    WritableColumnVector.class,
                    "dictionary",
                    org.apache.spark.sql.execution.vectorized.Dictionary.class);
        parquet =
            MethodHandles.privateLookupIn(ParquetDictionary.class, MethodHandles.lookup())
                .findVarHandle(
                    ParquetDictionary.class,
                    "dictionary",
                    org.apache.parquet.column.Dictionary.class);
      } catch (ReflectiveOperationException | RuntimeException e) {
        vector = null; // another Spark version: look strings up row by row
      }
      VECTOR_DICTIONARY = vector;
      PARQUET_DICTIONARY = parquet;
      READABLE = vector != null && parquet != null;
    }

    private Object wrapper;
    private Object dictionary;
    private int[] idOf = new int[0];

    int id(WritableColumnVector v, int rowId, StringIds ids) {
      Object w = VECTOR_DICTIONARY.get(v);
      if (w != wrapper) { // Spark wraps the chunk's dictionary anew for each batch
        wrapper = w;
        Object d = w instanceof ParquetDictionary p ? PARQUET_DICTIONARY.get(p) : w;
        if (d != dictionary) {
          dictionary = d;
          Arrays.fill(idOf, -1);
        }
      }
      int index = v.getDictionaryIds().getInt(rowId);
      if (index >= idOf.length) {
        int from = idOf.length;
        idOf = Arrays.copyOf(idOf, Math.max(index + 1, from * 2));
        Arrays.fill(idOf, from, idOf.length, -1);
      }
      int id = idOf[index];
      if (id < 0) {
        id = idOf[index] = ids.idOf(v.getUTF8String(rowId));
      }
      return id;
    }
  }

  /**
   * Strings to dense ids in insertion order: open addressing on the strings' murmur3 hashes (the
   * one {@link UTF8String#hashCode} computes), the bytes of all strings in one array (Spark reuses
   * its buffers, so they are copied).
   */
  static final class StringIds {
    private long[] slots = new long[512]; // hash << 32 | (id + 1); 0 is empty
    private int[] hashes = new int[256];
    private int[] starts = new int[257];
    private byte[] bytes = new byte[4096];
    private int size;

    int idOf(UTF8String s) {
      int h = s.hashCode();
      int mask = slots.length - 1;
      int i = mix(h) & mask;
      long slot;
      while ((slot = slots[i]) != 0) {
        int id = (int) slot - 1;
        if ((int) (slot >>> 32) == h && equals(id, s)) {
          return id;
        }
        i = (i + 1) & mask;
      }
      return add(s, h, i);
    }

    private boolean equals(int id, UTF8String s) {
      int n = starts[id + 1] - starts[id];
      return n == s.numBytes()
          && ByteArrayMethods.arrayEquals(
              bytes,
              Platform.BYTE_ARRAY_OFFSET + starts[id],
              s.getBaseObject(),
              s.getBaseOffset(),
              n);
    }

    private int add(UTF8String s, int h, int slot) {
      int id = size++;
      if (id + 1 == hashes.length) {
        hashes = Arrays.copyOf(hashes, hashes.length * 2);
        starts = Arrays.copyOf(starts, hashes.length + 1);
      }
      int n = s.numBytes();
      int at = starts[id];
      if (at + n > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, at + n));
      }
      s.writeToMemory(bytes, Platform.BYTE_ARRAY_OFFSET + at);
      starts[id + 1] = at + n;
      hashes[id] = h;
      slots[slot] = ((long) h << 32) | (id + 1L);
      if (size * 2 > slots.length) {
        grow();
      }
      return id;
    }

    /** The string's hash ({@link UTF8String#hashCode}). */
    int hash(int id) {
      return hashes[id];
    }

    /** Writes the string's length and UTF-8 bytes. */
    void writeTo(int id, EventBlocks.Bytes out) {
      out.writeUtf8(bytes, starts[id], starts[id + 1] - starts[id]);
    }

    private static int mix(int h) {
      return (h * 0x9E3779B9) >>> 7;
    }

    private void grow() {
      long[] old = slots;
      slots = new long[old.length * 2];
      int mask = slots.length - 1;
      for (long slot : old) {
        if (slot != 0) {
          int i = mix((int) (slot >>> 32)) & mask;
          while (slots[i] != 0) {
            i = (i + 1) & mask;
          }
          slots[i] = slot;
        }
      }
    }
  }
}

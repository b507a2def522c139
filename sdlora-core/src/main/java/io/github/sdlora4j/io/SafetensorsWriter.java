package io.github.sdlora4j.io;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Writes ND4J arrays to a safetensors file, atomically (see {@link AtomicFiles}). FLOAT arrays are stored as F32,
 * DOUBLE as F64 (and the other types of {@link SafetensorsDtype#nd4jType()} as their safetensors types), always in c-order whatever the array's ordering or view. Like the reference Rust implementation, the
 * header is padded with spaces so that the tensor data starts at a multiple of 8 bytes.
 */
public final class SafetensorsWriter {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int CHUNK_BYTES = 1 << 16;

    private SafetensorsWriter() {
    }

    /**
     * Writes the tensors without metadata.
     *
     * @param file    the file to create or replace
     * @param tensors the tensors, written in the map's iteration order
     * @throws IOException if writing fails; an existing file is then left unchanged
     */
    public static void write(Path file, Map<String, INDArray> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    /**
     * Writes the tensors and metadata.
     *
     * @param file     the file to create or replace
     * @param tensors  the tensors, written in the map's iteration order
     * @param metadata string entries for {@code __metadata__}; omitted from the header when empty
     * @throws IOException if writing fails; an existing file is then left unchanged
     */
    public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        Map<String, SafetensorsDtype> dtypes = validate(file, tensors, metadata);
        byte[] header = header(tensors, dtypes, metadata);
        AtomicFiles.write(file, out -> {
            ByteBuffer prefix = ByteBuffer.allocate(SafetensorsHeader.PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            out.write(prefix.putLong(header.length).array());
            out.write(header);
            byte[] chunk = new byte[CHUNK_BYTES];
            for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
                writeData(out, e.getValue(), dtypes.get(e.getKey()), chunk);
            }
        });
    }

    private static Map<String, SafetensorsDtype> validate(Path file, Map<String, INDArray> tensors,
                                                          Map<String, String> metadata) {
        Map<String, SafetensorsDtype> dtypes = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            String name = e.getKey();
            INDArray array = e.getValue();
            if (name == null || SafetensorsHeader.METADATA_KEY.equals(name)) {
                throw new IllegalArgumentException(file + ": invalid tensor name " + name
                        + " (must be non-null and not " + SafetensorsHeader.METADATA_KEY + ")");
            }
            if (array == null) {
                throw new IllegalArgumentException(file + ": tensor '" + name + "' is null");
            }
            SafetensorsDtype dtype = SafetensorsDtype.forNd4jType(array.dataType()).orElseThrow(() ->
                    new IllegalArgumentException(file + ": tensor '" + name + "' has ND4J type " + array.dataType()
                            + ", which safetensors cannot store; supported: "
                            + SafetensorsDtype.SUPPORTED_ND4J_TYPES));
            dtypes.put(name, dtype);
        }
        metadata.forEach((k, v) -> {
            if (k == null || v == null) {
                throw new IllegalArgumentException(file + ": metadata entries must be non-null, got " + k + " = "
                        + v);
            }
        });
        return dtypes;
    }

    /** Builds the JSON header, space-padded to a multiple of 8 bytes. */
    private static byte[] header(Map<String, INDArray> tensors, Map<String, SafetensorsDtype> dtypes,
                                 Map<String, String> metadata) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            INDArray array = e.getValue();
            SafetensorsDtype dtype = dtypes.get(e.getKey());
            long end = offset + array.length() * dtype.byteSize();
            ObjectNode entry = root.putObject(e.getKey());
            entry.put("dtype", dtype.name());
            long[] shape = array.shape();
            Arrays.stream(shape).forEach(entry.putArray("shape")::add);
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private static void writeData(OutputStream out, INDArray array, SafetensorsDtype dtype, byte[] chunk)
            throws IOException {
        if (array.length() == 0) {
            return;
        }
        INDArray c = isPlainCOrder(array) ? array : array.dup('c');
        int size = dtype.byteSize();
        long total = c.length() * size;
        if (total > Integer.MAX_VALUE) {
            throw new UnsupportedOperationException("tensor of " + total + " bytes exceeds the 2 GiB this writer "
                    + "supports per tensor");
        }
        ByteBuffer data = c.data().asNio().order(ByteOrder.nativeOrder());
        ByteBuffer little = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        for (int done = 0; done < total; ) {
            // CHUNK_BYTES is a multiple of every element size, so chunks never split an element.
            int length = (int) Math.min(chunk.length, total - done);
            ByteBuffer part = data.duplicate().limit(done + length).position(done).slice().order(data.order());
            ByteCopy.copyElements(part, little, 0, size);
            out.write(chunk, 0, length);
            done += length;
        }
    }

    /** True if the array's elements are exactly its buffer's first {@code length} elements in c-order. */
    private static boolean isPlainCOrder(INDArray array) {
        return !array.isView() && array.offset() == 0
                && (array.length() <= 1 || Arrays.equals(array.stride(), Nd4j.getStrides(array.shape(), 'c')));
    }
}

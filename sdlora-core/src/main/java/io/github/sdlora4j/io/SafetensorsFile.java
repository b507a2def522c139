package io.github.sdlora4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A safetensors file opened for reading. {@link #open} validates the whole header; tensors are then read on demand
 * from a read-only memory mapping straight into the native buffer of a new {@link INDArray}, so loading a checkpoint
 * never holds a second heap copy of it. Files whose data exceeds 2 GiB (the limit of one mapping) are mapped per
 * tensor region instead.
 *
 * <p>Arrays are allocated outside any active ND4J workspace, so they outlive the caller's workspace scope. Reads
 * may run concurrently; {@link #close()} must not race with them.
 */
public final class SafetensorsFile implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final SafetensorsHeader header;
    private final long dataStart;
    private final long maxMapBytes;
    /** The whole data region, mapped once when it fits in one mapping; {@code null} otherwise. */
    private final ByteBuffer wholeData;
    private volatile boolean closed;

    private SafetensorsFile(Path file, FileChannel channel, SafetensorsHeader header, long maxMapBytes)
            throws IOException {
        this.file = file;
        this.channel = channel;
        this.header = header;
        this.dataStart = SafetensorsHeader.PREFIX_BYTES + header.headerLength();
        this.maxMapBytes = maxMapBytes;
        this.wholeData = header.dataLength() <= maxMapBytes
                ? channel.map(FileChannel.MapMode.READ_ONLY, dataStart, header.dataLength()) : null;
    }

    /**
     * Opens and validates a safetensors file.
     *
     * @param file the file to read
     * @return the open file; close it when done
     * @throws SafetensorsFormatException if the header is malformed or inconsistent with the file
     * @throws IOException                if the file cannot be read
     */
    public static SafetensorsFile open(Path file) throws IOException {
        return open(file, Integer.MAX_VALUE);
    }

    /** Opens a file, mapping at most {@code maxMapBytes} per mapping (small values exercise the large-file path). */
    static SafetensorsFile open(Path file, long maxMapBytes) throws IOException {
        Objects.requireNonNull(file, "file");
        if (maxMapBytes < 8 || maxMapBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxMapBytes must be in [8, 2^31-1], got " + maxMapBytes);
        }
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "not a regular file (expected a .safetensors file)");
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            SafetensorsHeader header = SafetensorsHeader.read(file, channel);
            return new SafetensorsFile(file, channel, header, maxMapBytes);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Returns the file's path, as given to {@link #open}.
     *
     * @return the path
     */
    public Path path() {
        return file;
    }

    /**
     * Returns the {@code __metadata__} entries in header order.
     *
     * @return an unmodifiable map, empty if the file has none
     */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /**
     * Returns the tensor names in the order of the header.
     *
     * @return an unmodifiable, ordered set of names
     */
    public Set<String> names() {
        return header.tensors().keySet();
    }

    /**
     * Tells whether the file holds a tensor of this name.
     *
     * @param name a tensor name
     * @return true if present
     */
    public boolean contains(String name) {
        return header.tensors().containsKey(name);
    }

    /**
     * Returns a tensor's header entry.
     *
     * @param name a tensor name
     * @return its dtype, shape and byte range
     * @throws IllegalArgumentException if there is no such tensor
     */
    public TensorInfo info(String name) {
        TensorInfo info = header.tensors().get(Objects.requireNonNull(name, "name"));
        if (info == null) {
            throw new IllegalArgumentException(file + ": no tensor named '" + name + "' (the file has "
                    + header.tensors().size() + " tensors)");
        }
        return info;
    }

    /**
     * Reads a tensor as a c-order FLOAT array of its stored shape; F16, BF16, F64 and integer data are converted.
     *
     * @param name a tensor name
     * @return a new array
     * @throws IOException if the data cannot be read
     */
    public INDArray read(String name) throws IOException {
        return read(name, DataType.FLOAT);
    }

    /**
     * Reads a tensor as a c-order array of the requested type. Data already stored in that type is copied bit for
     * bit; otherwise it is converted (to FLOAT or DOUBLE directly, to other types through DOUBLE).
     *
     * @param name a tensor name
     * @param type the array's type: one of the ND4J types listed by {@link SafetensorsDtype#nd4jType()}
     * @return a new array
     * @throws IOException if the data cannot be read
     */
    public INDArray read(String name, DataType type) throws IOException {
        Objects.requireNonNull(type, "type");
        TensorInfo info = info(name);
        if (SafetensorsDtype.forNd4jType(type).isEmpty()) {
            throw new IllegalArgumentException("cannot read tensor '" + name + "' as " + type + "; supported types: "
                    + SafetensorsDtype.SUPPORTED_ND4J_TYPES);
        }
        ensureOpen();
        SafetensorsDtype stored = header.dtypes().get(name);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (type == stored.nd4jType()) {
                return readRaw(info, stored);
            }
            if (type == DataType.FLOAT || type == DataType.DOUBLE) {
                return readConverted(info, stored, type);
            }
            return readConverted(info, stored, DataType.DOUBLE).castTo(type);
        }
    }

    /**
     * Reads every tensor as FLOAT, in header order.
     *
     * @return a new ordered map from name to array
     * @throws IOException if the data cannot be read
     */
    public Map<String, INDArray> readAll() throws IOException {
        Map<String, INDArray> all = new LinkedHashMap<>();
        for (String name : names()) {
            all.put(name, read(name));
        }
        return all;
    }

    /** Releases the file handle. The mapping itself is released by the garbage collector (Java has no unmap). */
    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
    }

    private INDArray readRaw(TensorInfo info, SafetensorsDtype stored) throws IOException {
        INDArray out = allocate(info, stored.nd4jType());
        if (out.length() > 0) {
            ByteBuffer dst = out.data().asNio().order(ByteOrder.nativeOrder());
            forEachChunk(info, stored.byteSize(), (src, firstElement) ->
                    ByteCopy.copyElements(src, dst, Math.toIntExact(firstElement * stored.byteSize()),
                            stored.byteSize()));
        }
        return out;
    }

    private INDArray readConverted(TensorInfo info, SafetensorsDtype stored, DataType type) throws IOException {
        INDArray out = allocate(info, type);
        if (out.length() > 0) {
            ByteBuffer dst = out.data().asNio().order(ByteOrder.nativeOrder());
            int size = stored.byteSize();
            forEachChunk(info, size, (src, firstElement) -> {
                int count = src.remaining() / size;
                int to = Math.toIntExact(firstElement * type.width());
                if (type == DataType.FLOAT) {
                    for (int i = 0; i < count; i++, to += Float.BYTES) {
                        dst.putFloat(to, stored.toFloat(src, i * size));
                    }
                } else {
                    for (int i = 0; i < count; i++, to += Double.BYTES) {
                        dst.putDouble(to, stored.toDouble(src, i * size));
                    }
                }
            });
        }
        return out;
    }

    private INDArray allocate(TensorInfo info, DataType type) {
        long[] shape = info.shape();
        long elements = info.numElements();
        if (elements * type.width() > Integer.MAX_VALUE) {
            // ND4J exposes native buffers as ByteBuffers, whose indices are ints.
            throw new UnsupportedOperationException(file + ": tensor '" + info.name() + "' needs "
                    + elements * type.width() + " bytes as " + type + ", more than the 2 GiB this reader supports");
        }
        return elements == 0 ? Nd4j.create(type, shape, 'c') : Nd4j.createUninitialized(type, shape, 'c');
    }

    /**
     * Hands the tensor's bytes to {@code visitor} as little-endian buffers (absolute indices from 0), together with
     * the index of each chunk's first element.
     */
    private void forEachChunk(TensorInfo info, int elementSize, ChunkVisitor visitor) throws IOException {
        if (wholeData != null) {
            ByteBuffer region = wholeData.duplicate()
                    .limit(Math.toIntExact(info.end()))
                    .position(Math.toIntExact(info.begin()))
                    .slice()
                    .order(ByteOrder.LITTLE_ENDIAN);
            visitor.visit(region, 0);
            return;
        }
        long chunkBytes = maxMapBytes / elementSize * elementSize;
        for (long offset = 0; offset < info.byteLength(); offset += chunkBytes) {
            long length = Math.min(chunkBytes, info.byteLength() - offset);
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY,
                    dataStart + info.begin() + offset, length);
            visitor.visit(mapped.order(ByteOrder.LITTLE_ENDIAN), offset / elementSize);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(file + " has been closed");
        }
    }

    /** Receives one little-endian chunk of a tensor's bytes. */
    @FunctionalInterface
    private interface ChunkVisitor {
        void visit(ByteBuffer littleEndian, long firstElement) throws IOException;
    }
}

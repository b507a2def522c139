package io.github.sdlora4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Writer → reader round trips, and the writer's output checked by an independent minimal parser. */
class SafetensorsRoundTripTest {

    @TempDir
    Path dir;

    /** Tensors covering c-order, f-order, a strided view, 0-d, 1-d, empty and DOUBLE arrays; insertion-ordered. */
    private static Map<String, INDArray> fixtures() {
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("blocks.0.attn.qkv.weight", Nd4j.rand(DataType.FLOAT, 6, 4).subi(0.5));
        t.put("f_order", Nd4j.arange(12).castTo(DataType.FLOAT).reshape('f', 3, 4));
        INDArray base = Nd4j.arange(20).castTo(DataType.FLOAT).reshape(4, 5);
        t.put("view", base.get(NDArrayIndex.interval(1, 3), NDArrayIndex.interval(1, 2, 4))); // (begin, stride, end)
        t.put("transposed", Nd4j.arange(6).castTo(DataType.DOUBLE).subi(2.5).reshape(2, 3).transpose());
        t.put("scalar", Nd4j.scalar(DataType.FLOAT, 3.25f));
        t.put("bias", Nd4j.createFromArray(0.5f, -1.5f, 2.5f));
        t.put("pos_embed", Nd4j.rand(DataType.DOUBLE, 1, 3, 2));
        t.put("empty", Nd4j.create(DataType.FLOAT, 0, 3));
        return t;
    }

    @Test
    void roundTripsValuesShapesTypesOrderAndMetadata() throws IOException {
        Map<String, INDArray> tensors = fixtures();
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("task", "3 of 10, ünïcode ok");
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, tensors, metadata);

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(metadata, st.metadata());
            assertEquals(new ArrayList<>(tensors.keySet()), new ArrayList<>(st.names()));
            for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
                INDArray expected = e.getValue();
                TensorInfo info = st.info(e.getKey());
                assertEquals(expected.dataType() == DataType.DOUBLE ? "F64" : "F32", info.dtype(), e.getKey());
                assertArrayEquals(expected.shape(), info.shape(), e.getKey());
                INDArray asStored = st.read(e.getKey(), expected.dataType());
                assertEquals(expected.dataType(), asStored.dataType());
                assertEquals('c', asStored.ordering());
                assertEquals(expected, asStored, e.getKey() + " read back in its own type must be identical");
                INDArray asFloat = st.read(e.getKey());
                assertEquals(DataType.FLOAT, asFloat.dataType());
                assertEquals(expected.castTo(DataType.FLOAT), asFloat, e.getKey());
            }
            assertEquals(0, st.read("scalar").rank());
            assertEquals(3.25f, st.read("scalar").getFloat(0));
            assertArrayEquals(new float[] {6, 8, 11, 13}, st.read("view").reshape(4).toFloatVector(),
                    "the view's own elements in c-order, not its backing buffer");
            assertEquals(tensors.keySet(), st.readAll().keySet());
        }
    }

    @Test
    void readsIdenticallyWhenEachTensorRegionIsMappedInSmallChunks() throws IOException {
        Map<String, INDArray> tensors = fixtures();
        Path file = dir.resolve("chunked.safetensors");
        SafetensorsWriter.write(file, tensors);
        // 16-byte mappings force the per-region path used for files over 2 GiB, with several chunks per tensor.
        try (SafetensorsFile whole = SafetensorsFile.open(file);
             SafetensorsFile chunked = SafetensorsFile.open(file, 16)) {
            for (String name : tensors.keySet()) {
                assertEquals(whole.read(name), chunked.read(name), name);
                assertEquals(whole.read(name, DataType.DOUBLE), chunked.read(name, DataType.DOUBLE), name);
            }
        }
    }

    @Test
    void writerOutputMatchesTheFormatSpecificationByteForByte() throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("b", Nd4j.createFromArray(new float[][] {{1, 2, 3}, {4, 5, 6}}));
        tensors.put("a", Nd4j.createFromArray(0.25, -8.0));
        tensors.put("s", Nd4j.scalar(DataType.FLOAT, -1f));
        Path file = dir.resolve("spec.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of("k", "v"));

        // Independent minimal parser: u64 little-endian length, JSON via Jackson, then raw little-endian data.
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong(0);
        assertEquals(0, (8 + n) % 8, "data must start 8-byte aligned");
        String headerText = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertEquals(headerText.stripTrailing(), headerText.strip(), "padding is trailing spaces only");
        assertTrue(headerText.stripTrailing().length() > n - 8, "at most 7 padding bytes");
        JsonNode header = new ObjectMapper().readTree(headerText);
        List<String> keys = new ArrayList<>();
        header.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("__metadata__", "b", "a", "s"), keys);
        assertEquals("v", header.get("__metadata__").get("k").textValue());
        assertEntry(header.get("b"), "F32", new long[] {2, 3}, 0, 24);
        assertEntry(header.get("a"), "F64", new long[] {2}, 24, 40);
        assertEntry(header.get("s"), "F32", new long[] {}, 40, 44);
        assertEquals(8 + n + 44, bytes.length, "no bytes after the last tensor");
        int data = (int) (8 + n);
        for (int i = 0; i < 6; i++) {
            assertEquals(i + 1f, buf.getFloat(data + 4 * i));
        }
        assertEquals(0.25, buf.getDouble(data + 24));
        assertEquals(-8.0, buf.getDouble(data + 32));
        assertEquals(-1f, buf.getFloat(data + 40));
    }

    @Test
    void omitsMetadataWhenEmptyAndWritesAValidEmptyFile() throws IOException {
        Path file = dir.resolve("empty.safetensors");
        SafetensorsWriter.write(file, Map.of());
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(16, bytes.length, "8-byte length + '{}' padded to 8");
        assertEquals("{}      ", new String(bytes, 8, 8, StandardCharsets.US_ASCII));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertTrue(st.names().isEmpty());
            assertTrue(st.metadata().isEmpty());
        }
    }

    @Test
    void overwritesAnExistingFile() throws IOException {
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(file, Map.of("x", Nd4j.createFromArray(1f, 2f)));
        SafetensorsWriter.write(file, Map.of("y", Nd4j.createFromArray(3.0)));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(List.of("y"), new ArrayList<>(st.names()));
            assertEquals(3.0, st.read("y", DataType.DOUBLE).getDouble(0));
        }
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList(), "no temporary files left behind");
        }
    }

    @Test
    void writerRejectsInvalidInputWithoutCreatingTheFile() {
        Path file = dir.resolve("bad.safetensors");
        Map<String, INDArray> metadataName = Map.of("__metadata__", Nd4j.createFromArray(1f));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(file, metadataName));
        Map<String, INDArray> nullArray = new LinkedHashMap<>();
        nullArray.put("x", null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.write(file, nullArray));
        assertTrue(e.getMessage().contains("bad.safetensors") && e.getMessage().contains("'x'"), e.getMessage());
        Map<String, INDArray> utf8 = Map.of("s", Nd4j.create(Arrays.asList("a", "b"), 2));
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.write(file, utf8));
        assertTrue(type.getMessage().contains("UTF8"), type.getMessage());
        assertFalse(Files.exists(file));
    }

    @Test
    void readerRefusesReadsAfterClose() throws IOException {
        Path file = dir.resolve("c.safetensors");
        SafetensorsWriter.write(file, Map.of("x", Nd4j.createFromArray(1f)));
        SafetensorsFile st = SafetensorsFile.open(file);
        st.close();
        assertThrows(IllegalStateException.class, () -> st.read("x"));
    }

    private static void assertEntry(JsonNode entry, String dtype, long[] shape, long begin, long end) {
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        assertEquals(List.of("dtype", "shape", "data_offsets"), keys);
        assertEquals(dtype, entry.get("dtype").textValue());
        long[] actualShape = new long[entry.get("shape").size()];
        for (int i = 0; i < actualShape.length; i++) {
            actualShape[i] = entry.get("shape").get(i).longValue();
        }
        assertArrayEquals(shape, actualShape);
        assertEquals(begin, entry.get("data_offsets").get(0).longValue());
        assertEquals(end, entry.get("data_offsets").get(1).longValue());
    }
}

package io.github.sdlora4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Reads a file written by the reference implementation (Python safetensors 0.8.0, numpy backend), which orders
 * tensors by dtype alignment rather than by name, pads its header, and stores a 0-d tensor. It was made with:
 * <pre>
 * t = {"blocks.0.attn.qkv.weight": np.arange(12, dtype=np.float32).reshape(3, 4) / 8,
 *      "pos_embed": np.array([[[-1.5, 0.25], [3.0, 1e-3]]], dtype=np.float32),
 *      "half": np.array([1.0, -2.5, 65504, 2**-24, np.inf], dtype=np.float16),
 *      "dbl": np.array([1/3, -1e300], dtype=np.float64),
 *      "scalar": np.array(7.5, dtype=np.float32),
 *      "steps": np.array([1, -2, 3], dtype=np.int64)}
 * safetensors.numpy.save_file(t, "python.safetensors", metadata={"format": "np", "note": "from safetensors 0.8.0"})
 * </pre>
 */
class SafetensorsPythonFixtureTest {

    @TempDir
    Path dir;

    @Test
    void readsAFileWrittenByPythonSafetensors() throws IOException {
        Path file = dir.resolve("python.safetensors");
        try (InputStream in = getClass().getResourceAsStream("python-safetensors-0.8.0.safetensors")) {
            assertNotNull(in, "test resource missing");
            Files.copy(in, file);
        }
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(Map.of("format", "np", "note", "from safetensors 0.8.0"), st.metadata());
            assertEquals(List.of("steps", "dbl", "blocks.0.attn.qkv.weight", "pos_embed", "scalar", "half"),
                    List.copyOf(st.names()), "header order as the reference writer laid it out");
            float[] qkv = new float[12];
            for (int i = 0; i < 12; i++) {
                qkv[i] = i / 8f;
            }
            assertArrayEquals(new long[] {3, 4}, st.info("blocks.0.attn.qkv.weight").shape());
            assertArrayEquals(qkv, st.read("blocks.0.attn.qkv.weight").reshape(12).toFloatVector());
            assertArrayEquals(new float[] {-1.5f, 0.25f, 3.0f, 1e-3f}, st.read("pos_embed").reshape(4).toFloatVector());
            assertArrayEquals(new float[] {1.0f, -2.5f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY},
                    st.read("half").toFloatVector());
            assertArrayEquals(new double[] {1.0 / 3, -1e300}, st.read("dbl", DataType.DOUBLE).toDoubleVector());
            assertEquals(0, st.read("scalar").rank());
            assertEquals(7.5f, st.read("scalar").getFloat(0));
            assertArrayEquals(new long[] {1, -2, 3}, st.read("steps", DataType.INT64).toLongVector());
        }
    }
}

package io.github.sdlora4j.io;

import static io.github.sdlora4j.io.SafetensorsTestFiles.doubles;
import static io.github.sdlora4j.io.SafetensorsTestFiles.floats;
import static io.github.sdlora4j.io.SafetensorsTestFiles.shorts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Decoding of hand-written files: bit-exact half and bfloat16, F64 narrowing, integers, raw-type reads. */
class SafetensorsDecodingTest {

    @TempDir
    Path dir;

    @Test
    void decodesF16BitExactly() throws IOException {
        int[] bits = {0x3C00, 0xC100, 0x7BFF, 0x0001, 0x03FF, 0x0400, 0x8000, 0x3555, 0x7C00, 0xFC00, 0x7E00};
        float[] expected = {1.0f, -2.5f, 65504f, 0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f, -0.0f, 0.333251953125f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        Path file = SafetensorsTestFiles.write(dir.resolve("half.safetensors"),
                "{\"h\":{\"dtype\":\"F16\",\"shape\":[11],\"data_offsets\":[0,22]}}", shorts(bits));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            INDArray a = st.read("h");
            assertEquals(DataType.FLOAT, a.dataType());
            assertArrayEquals(new long[] {11}, a.shape());
            assertBitsEqual(expected, a.toFloatVector());
            assertArrayEquals(a.toFloatVector(), st.read("h", DataType.FLOAT16).castTo(DataType.FLOAT).toFloatVector(),
                    "a raw HALF read holds the same values as the decoded FLOAT read");
        }
    }

    @Test
    void decodesBf16BitExactly() throws IOException {
        int[] bits = {0x3F80, 0xC020, 0x4049, 0x7F7F, 0x0001, 0x8000, 0x7F80, 0xFF80, 0x7FC0};
        float[] expected = {1.0f, -2.5f, 3.140625f, Float.intBitsToFloat(0x7F7F0000), Float.intBitsToFloat(0x00010000),
                -0.0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        Path file = SafetensorsTestFiles.write(dir.resolve("bf16.safetensors"),
                "{\"b\":{\"dtype\":\"BF16\",\"shape\":[3,3],\"data_offsets\":[0,18]}}", shorts(bits));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            INDArray a = st.read("b");
            assertArrayEquals(new long[] {3, 3}, a.shape());
            assertEquals('c', a.ordering());
            assertBitsEqual(expected, a.reshape(9).toFloatVector());
            assertEquals(-2.5f, a.getFloat(0, 1), "row-major placement of element [0,1]");
        }
    }

    @Test
    void halfConversionMatchesTheDefinitionForAll65536Patterns() {
        for (int h = 0; h < 0x10000; h++) {
            int sign = h >>> 15;
            int exponent = (h >>> 10) & 0x1F;
            int mantissa = h & 0x3FF;
            float actual = HalfFloats.halfToFloat((short) h);
            if (exponent == 0x1F) {
                assertTrue(mantissa == 0 ? Float.isInfinite(actual) : Float.isNaN(actual), "pattern " + h);
                continue;
            }
            double magnitude = exponent == 0 ? Math.scalb((double) mantissa, -24)
                    : Math.scalb(1.0 + mantissa / 1024.0, exponent - 15);
            double value = sign == 1 ? -magnitude : magnitude;
            assertEquals(Double.doubleToRawLongBits(value), Double.doubleToRawLongBits(actual),
                    "pattern 0x" + Integer.toHexString(h));
        }
    }

    @Test
    void narrowsF64ToFloatAndKeepsItExactAsDouble() throws IOException {
        double[] values = {1.0 / 3, -0.0, 1e-50, 1e300, 123456789.123, Double.NaN};
        Path file = SafetensorsTestFiles.write(dir.resolve("f64.safetensors"),
                "{\"d\":{\"dtype\":\"F64\",\"shape\":[2,3],\"data_offsets\":[0,48]}}", doubles(values));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            float[] expected = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                expected[i] = (float) values[i];
            }
            assertBitsEqual(expected, st.read("d").reshape(6).toFloatVector());
            INDArray exact = st.read("d", DataType.DOUBLE);
            assertEquals(DataType.DOUBLE, exact.dataType());
            assertArrayEquals(values, exact.reshape(6).toDoubleVector());
        }
    }

    @Test
    void widensF32ToDoubleExactly() throws IOException {
        float[] values = {0.1f, -7.25f, Float.MIN_VALUE, Float.MAX_VALUE};
        Path file = SafetensorsTestFiles.write(dir.resolve("f32.safetensors"),
                "{\"f\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", floats(values));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            double[] read = st.read("f", DataType.DOUBLE).toDoubleVector();
            for (int i = 0; i < values.length; i++) {
                assertEquals((double) values[i], read[i]);
            }
        }
    }

    @Test
    void decodesIntegerAndBoolTypes() throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.write(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-3).putLong(1L << 40).array());
        data.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-70000).putInt((1 << 24) + 1).array());
        data.write(shorts(-2, 300));
        data.write(new byte[] {-128, 127});
        data.write(new byte[] {(byte) 255, 7});
        data.write(new byte[] {0, 1});
        String header = "{\"i64\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"i32\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                + "\"i16\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[24,28]},"
                + "\"i8\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[28,30]},"
                + "\"u8\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[30,32]},"
                + "\"bool\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[32,34]}}";
        Path file = SafetensorsTestFiles.write(dir.resolve("ints.safetensors"), header, data.toByteArray());
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertArrayEquals(new double[] {-3, 1L << 40}, st.read("i64", DataType.DOUBLE).toDoubleVector());
            assertArrayEquals(new long[] {-3, 1L << 40}, st.read("i64", DataType.INT64).toLongVector());
            assertArrayEquals(new float[] {-70000, 1 << 24}, st.read("i32").toFloatVector(), "2^24 + 1 rounds as float");
            assertArrayEquals(new double[] {-70000, (1 << 24) + 1}, st.read("i32", DataType.DOUBLE).toDoubleVector(),
                    "I32 is exact as double");
            assertArrayEquals(new float[] {-2, 300}, st.read("i16").toFloatVector());
            assertArrayEquals(new float[] {-128, 127}, st.read("i8").toFloatVector());
            assertArrayEquals(new float[] {255, 7}, st.read("u8").toFloatVector());
            assertArrayEquals(new float[] {0, 1}, st.read("bool").toFloatVector());
            assertArrayEquals(new int[] {-2, 300}, st.read("i16", DataType.INT32).toIntVector(),
                    "conversion to a type other than FLOAT/DOUBLE goes through DOUBLE");
        }
    }

    @Test
    void rejectsUnsupportedTargetTypeAndUnknownName() throws IOException {
        Path file = SafetensorsTestFiles.write(dir.resolve("one.safetensors"),
                "{\"f\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1f));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                    () -> st.read("f", DataType.UTF8));
            assertTrue(type.getMessage().contains("UTF8") && type.getMessage().contains("FLOAT"), type.getMessage());
            IllegalArgumentException name = assertThrows(IllegalArgumentException.class, () -> st.read("g"));
            assertTrue(name.getMessage().contains("one.safetensors") && name.getMessage().contains("'g'"),
                    name.getMessage());
        }
    }

    @Test
    void swapsElementBytesBetweenDifferentByteOrders() {
        ByteBuffer little = ByteBuffer.wrap(floats(1.5f, -2f)).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer big = ByteBuffer.allocate(12).order(ByteOrder.BIG_ENDIAN);
        ByteCopy.copyElements(little, big, 4, 4);
        assertEquals(1.5f, big.getFloat(4));
        assertEquals(-2f, big.getFloat(8));
        assertEquals(0, little.position(), "source position unchanged");
    }

    private static void assertBitsEqual(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            if (Float.isNaN(expected[i])) {
                assertTrue(Float.isNaN(actual[i]), "element " + i + " should be NaN, was " + actual[i]);
            } else {
                assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                        "element " + i + ": expected " + expected[i] + ", was " + actual[i]);
            }
        }
    }
}

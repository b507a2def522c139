package io.github.sdlora4j.io;

import io.github.sdlora4j.learner.ClassifierGraph;
import io.github.sdlora4j.learner.ClassifierHead;
import io.github.sdlora4j.vit.TestWeights;
import io.github.sdlora4j.vit.TimmVitLayout;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimmBackboneImporterTest {

    static final VitConfig C = VitConfig.TINY_TEST;

    /** A timm-layout file as PyTorch would save it: backbone plus a 5-class head, in the given stored type. */
    static Map<String, INDArray> timmStateDict(VitWeights w, DataType stored) {
        Map<String, INDArray> t = new LinkedHashMap<>();
        w.tensors().forEach((k, v) -> t.put(k, v.castTo(stored)));
        t.put(ClassifierHead.WEIGHT, Nd4j.rand(DataType.FLOAT, 5, C.dim()).castTo(stored));
        t.put(ClassifierHead.BIAS, Nd4j.rand(DataType.FLOAT, 5).castTo(stored));
        return t;
    }

    private static float[] floats(INDArray a) {
        return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    @Test
    void loadsEveryTensorBitExactAndIgnoresTheHead(@TempDir Path dir) throws IOException {
        VitWeights w = TestWeights.perturbed(C, 7, DataType.FLOAT);
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, timmStateDict(w, DataType.FLOAT));
        VitWeights loaded = TimmBackboneImporter.load(file, C);
        assertEquals(w.tensors().keySet(), loaded.tensors().keySet());
        w.tensors().forEach((k, v) -> assertArrayEquals(floats(v), floats(loaded.get(k)), k));
        loaded.tensors().values().forEach(a -> assertEquals(DataType.FLOAT, a.dataType()));
        ClassifierHead head = TimmBackboneImporter.loadHead(file, C.dim()).orElseThrow();
        assertArrayEquals(new long[]{5, C.dim()}, head.weight().shape());
    }

    @Test
    void halfAndBfloat16FilesLoadAsTheRoundedValues(@TempDir Path dir) throws IOException {
        VitWeights w = TestWeights.perturbed(C, 8, DataType.FLOAT);
        for (DataType stored : new DataType[]{DataType.FLOAT16, DataType.BFLOAT16}) {
            Path file = dir.resolve(stored + ".safetensors");
            SafetensorsWriter.write(file, timmStateDict(w, stored));
            VitWeights loaded = TimmBackboneImporter.load(file, C);
            String qkv = TimmVitLayout.block(1, "attn.qkv.weight");
            assertArrayEquals(floats(w.get(qkv).castTo(stored)), floats(loaded.get(qkv)), stored.toString());
            assertEquals(DataType.FLOAT, loaded.get(qkv).dataType());
        }
    }

    @Test
    void infersTheConfigFromTheHeader(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, timmStateDict(VitWeights.random(C, 1, DataType.FLOAT), DataType.FLOAT));
        assertEquals(C, TimmBackboneImporter.inferConfig(file, C.heads()));
        // Width 32 is not a multiple of 64: the default head width cannot apply, and the message says so.
        CheckpointException e = assertThrows(CheckpointException.class, () -> TimmBackboneImporter.inferConfig(file));
        assertTrue(e.getMessage().contains("heads"), e.getMessage());

        VitConfig wide = new VitConfig(8, 4, 3, 128, 3, 2, 96, VitConfig.TIMM_LAYER_NORM_EPS);
        Path wideFile = dir.resolve("wide.safetensors");
        TimmModelExport.exportBackbone(VitWeights.random(wide, 2, DataType.FLOAT), wideFile);
        assertEquals(wide, TimmBackboneImporter.inferConfig(wideFile), "heads default to dim / 64");
    }

    @Test
    void listsEveryMissingExtraAndMisShapedKeyBeforeReadingData(@TempDir Path dir) throws IOException {
        Map<String, INDArray> t = timmStateDict(VitWeights.random(C, 1, DataType.FLOAT), DataType.FLOAT);
        t.remove(TimmVitLayout.block(1, "mlp.fc2.bias"));
        t.put(TimmVitLayout.block(0, "attn.proj.weight"), Nd4j.zeros(DataType.FLOAT, C.dim(), C.dim() + 1));
        t.put("pre_logits.fc.weight", Nd4j.zeros(DataType.FLOAT, 2, 2));
        t.put(TimmVitLayout.NORM_BIAS, Nd4j.zeros(DataType.INT32, C.dim()));
        Path file = dir.resolve("bad.safetensors");
        SafetensorsWriter.write(file, t);
        CheckpointException e = assertThrows(CheckpointException.class, () -> TimmBackboneImporter.load(file, C));
        String m = e.getMessage();
        assertTrue(m.startsWith(file.toString()), m);
        assertTrue(m.contains("missing 'blocks.1.mlp.fc2.bias' [32]"), m);
        assertTrue(m.contains("'blocks.0.attn.proj.weight' has shape [32, 33], expected [32, 32]"), m);
        assertTrue(m.contains("unexpected 'pre_logits.fc.weight'"), m);
        assertTrue(m.contains("'norm.bias' has dtype I32"), m);
    }

    @Test
    void posEmbedOfAnotherImageSizeIsExplained(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("model-32px.safetensors");
        TimmModelExport.exportBackbone(VitWeights.random(C.withImageSize(32), 1, DataType.FLOAT), file);
        CheckpointException e = assertThrows(CheckpointException.class, () -> TimmBackboneImporter.load(file, C));
        assertTrue(e.getMessage().contains("'pos_embed' has 65 tokens, which implies 8x8 patches, i.e. image size 32"),
                e.getMessage());
        assertEquals(32, TimmBackboneImporter.inferConfig(file, C.heads()).imageSize());
    }

    @Test
    void inconsistentHeadIsRejected(@TempDir Path dir) throws IOException {
        Map<String, INDArray> t = timmStateDict(VitWeights.random(C, 1, DataType.FLOAT), DataType.FLOAT);
        t.put(ClassifierHead.BIAS, Nd4j.zeros(DataType.FLOAT, 4));
        Path file = dir.resolve("head.safetensors");
        SafetensorsWriter.write(file, t);
        CheckpointException e = assertThrows(CheckpointException.class, () -> TimmBackboneImporter.load(file, C));
        assertTrue(e.getMessage().contains("head is weight [5, 32] and bias [4]"), e.getMessage());
        t.remove(ClassifierHead.BIAS);
        SafetensorsWriter.write(file, t);
        e = assertThrows(CheckpointException.class, () -> TimmBackboneImporter.loadHead(file, C.dim()));
        assertTrue(e.getMessage().contains("head.bias is missing"), e.getMessage());
    }

    @Test
    void corruptFilesGiveFormatErrorsNotAllocations(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafetensorsWriter.write(good, timmStateDict(VitWeights.random(C, 1, DataType.FLOAT), DataType.FLOAT));
        byte[] bytes = Files.readAllBytes(good);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);

        Path truncated = Files.write(dir.resolve("truncated.safetensors"),
                java.util.Arrays.copyOf(bytes, bytes.length - 100));
        assertFormatError(truncated, "beyond");

        Path hugeHeader = dir.resolve("huge-header.safetensors");
        Files.write(hugeHeader, bytes);
        patchLong(hugeHeader, 0, bytes.length + 1000L);
        assertFormatError(hugeHeader, "exceeds");

        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        Path lyingDtype = dir.resolve("lying-dtype.safetensors");
        Files.write(lyingDtype, replaceHeader(bytes, headerLength, header.replaceFirst("\"F32\"", "\"F16\"")));
        assertFormatError(lyingDtype, "bytes");

        Path lyingOffsets = dir.resolve("lying-offsets.safetensors");
        Files.write(lyingOffsets, replaceHeader(bytes, headerLength,
                header.replaceFirst("\"data_offsets\":\\[0,", "\"data_offsets\":[4,")));
        assertFormatError(lyingOffsets, "data_offsets");

        Path unsupported = dir.resolve("unsupported.safetensors");
        Files.write(unsupported, replaceHeader(bytes, headerLength, header.replaceFirst("\"F32\"", "\"F8E4\"")));
        assertFormatError(unsupported, "unsupported dtype 'F8E4'");

        Path notSafetensors = Files.writeString(dir.resolve("model.onnx"), "\u0008\u0007\u0012\u0007pytorch");
        assertThrows(SafetensorsFormatException.class, () -> TimmBackboneImporter.inferConfig(notSafetensors));
    }

    private static void assertFormatError(Path file, String expected) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> TimmBackboneImporter.load(file, C));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    /** Same-length header edit (dtype names of equal length), so only the lie itself is wrong. */
    private static byte[] replaceHeader(byte[] bytes, long headerLength, String header) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        byte[] out = bytes.clone();
        if (h.length == headerLength) {
            System.arraycopy(h, 0, out, 8, h.length);
            return out;
        }
        // A longer header: rebuild the prefix, then the data.
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + (int) (bytes.length - 8 - headerLength))
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(bytes, 8 + (int) headerLength, (int) (bytes.length - 8 - headerLength));
        return b.array();
    }

    private static void patchLong(Path file, long at, long value) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value), at);
        }
    }

    @Test
    void exportedBackboneAndHeadReimportToTheSameLogits(@TempDir Path dir) throws IOException {
        VitWeights w = TestWeights.perturbed(C, 9, DataType.FLOAT);
        ClassifierHead head = new ClassifierHead(Nd4j.rand(DataType.FLOAT, 3, C.dim()), Nd4j.rand(DataType.FLOAT, 3));
        Path file = dir.resolve("model.safetensors");
        TimmModelExport.exportModel(w, head, file);
        VitWeights back = TimmBackboneImporter.load(file, C);
        ClassifierHead headBack = TimmBackboneImporter.loadHead(file, C.dim()).orElseThrow();
        INDArray x = TestWeights.images(C, 3, 1, DataType.FLOAT);
        assertArrayEquals(floats(new ClassifierGraph(w, null, head, DataType.FLOAT).logits(x)),
                floats(new ClassifierGraph(back, null, headBack, DataType.FLOAT).logits(x)));
        Path bare = dir.resolve("backbone.safetensors");
        TimmModelExport.exportBackbone(w, bare);
        assertFalse(TimmBackboneImporter.loadHead(bare, C.dim()).isPresent());
    }
}

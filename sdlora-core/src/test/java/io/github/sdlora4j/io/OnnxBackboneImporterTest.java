package io.github.sdlora4j.io;

import io.github.sdlora4j.learner.ClassifierHead;
import io.github.sdlora4j.vit.TestWeights;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxBackboneImporterTest {

    static final VitConfig C = VitConfig.TINY_TEST;

    private static float[] floats(INDArray a) {
        return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    private static ClassifierHead head(int classes) {
        return new ClassifierHead(Nd4j.rand(DataType.FLOAT, classes, C.dim()).subi(0.5),
                Nd4j.rand(DataType.FLOAT, classes));
    }

    @Test
    void importsTheExactWeightsOfATimmStyleExportAndVerifiesThem(@TempDir Path dir) throws IOException {
        VitWeights w = TestWeights.perturbed(C, 4, DataType.FLOAT);
        ClassifierHead head = head(3);
        Path file = OnnxVitFixture.write(dir.resolve("vit.onnx"), w, head, OnnxVitFixture.Options.TORCH);
        OnnxBackboneImporter.Imported imported = OnnxBackboneImporter.load(file, C);
        assertEquals(w.tensors().keySet(), imported.backbone().tensors().keySet());
        w.tensors().forEach((k, v) -> assertArrayEquals(floats(v), floats(imported.backbone().get(k)), k));
        assertArrayEquals(floats(head.weight()), floats(imported.head().weight()));
        assertArrayEquals(floats(head.bias()), floats(imported.head().bias()));
        assertTrue(imported.maxAbsDifference() < 1e-4, "forward check: " + imported.maxAbsDifference());
    }

    @Test
    void unnamedLinearsAreMappedByPositionInAStaticBatchLayerNormalizationExport(@TempDir Path dir)
            throws IOException {
        VitWeights w = TestWeights.perturbed(C, 5, DataType.FLOAT);
        ClassifierHead head = head(4);
        Path file = OnnxVitFixture.write(dir.resolve("positional.onnx"), w, head,
                new OnnxVitFixture.Options(false, false, true, false, 1, false));
        OnnxBackboneImporter.Imported imported = OnnxBackboneImporter.load(file, C);
        w.tensors().forEach((k, v) -> assertArrayEquals(floats(v), floats(imported.backbone().get(k)), k));
        assertArrayEquals(floats(head.weight()), floats(imported.head().weight()));
    }

    @Test
    void float16DynamicShapeFeatureExtractorImportsTheRoundedWeightsWithoutHead(@TempDir Path dir) throws IOException {
        VitWeights w = TestWeights.perturbed(C, 6, DataType.FLOAT);
        Path file = OnnxVitFixture.write(dir.resolve("half.onnx"), w, null,
                new OnnxVitFixture.Options(false, true, false, true, 0, true));
        OnnxBackboneImporter.Imported imported = OnnxBackboneImporter.load(file, C);
        assertNull(imported.head());
        w.tensors().forEach((k, v) -> assertArrayEquals(floats(v.castTo(DataType.FLOAT16)),
                floats(imported.backbone().get(k)), k));
    }

    @Test
    void float16WeightsWithoutNamesImportThroughTheirCastsWithTheHead(@TempDir Path dir) throws IOException {
        VitWeights w = TestWeights.perturbed(C, 9, DataType.FLOAT);
        ClassifierHead head = head(3);
        Path file = OnnxVitFixture.write(dir.resolve("half-positional.onnx"), w, head,
                new OnnxVitFixture.Options(false, false, false, true, 0, false));
        OnnxBackboneImporter.Imported imported = OnnxBackboneImporter.load(file, C);
        w.tensors().forEach((k, v) -> assertArrayEquals(floats(v.castTo(DataType.FLOAT16)),
                floats(imported.backbone().get(k)), k));
        assertArrayEquals(floats(head.weight().castTo(DataType.FLOAT16)), floats(imported.head().weight()));
    }

    @Test
    void anInputOfAnotherImageSizeIsNamed(@TempDir Path dir) throws IOException {
        Path file = OnnxVitFixture.write(dir.resolve("32px.onnx"),
                VitWeights.random(C.withImageSize(32), 1, DataType.FLOAT), head(2), OnnxVitFixture.Options.TORCH);
        CheckpointException e = assertThrows(CheckpointException.class, () -> OnnxBackboneImporter.load(file, C));
        assertTrue(e.getMessage().contains("has shape [batch, 3, 32, 32]; the config expects [N, 3, 16, 16]"),
                e.getMessage());
    }

    @Test
    void refusesWeightsThatDoNotReproduceTheGraph(@TempDir Path dir) throws IOException {
        // Same tensors, but the MLPs use Relu: the names map, the forward check must catch it.
        Path file = OnnxVitFixture.write(dir.resolve("relu.onnx"), TestWeights.perturbed(C, 4, DataType.FLOAT),
                head(3), new OnnxVitFixture.Options(true, true, false, false, 0, false));
        CheckpointException e = assertThrows(CheckpointException.class, () -> OnnxBackboneImporter.load(file, C));
        assertTrue(e.getMessage().contains("do not reproduce its output"), e.getMessage());
    }

    @Test
    void aModelOfAnotherShapeIsRejectedByNameAndShape(@TempDir Path dir) throws IOException {
        VitConfig wider = new VitConfig(16, 4, 3, 48, 2, 2, 64, VitConfig.TIMM_LAYER_NORM_EPS);
        Path file = OnnxVitFixture.write(dir.resolve("wide.onnx"), VitWeights.random(wider, 1, DataType.FLOAT),
                new ClassifierHead(Nd4j.zeros(DataType.FLOAT, 2, 48), Nd4j.zeros(DataType.FLOAT, 2)), OnnxVitFixture.Options.TORCH);
        CheckpointException e = assertThrows(CheckpointException.class, () -> OnnxBackboneImporter.load(file, C));
        assertTrue(e.getMessage().contains("'cls_token' (initializer 'cls_token') has shape [1, 1, 48], expected [1, 1, 32]"),
                e.getMessage());
        assertTrue(e.getMessage().contains("'blocks.0.attn.qkv.weight' (initializer 'onnx::MatMul_"), e.getMessage());
    }

    @Test
    void filesThatAreNotOnnxGiveClearErrors(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("text.onnx"), "this is not a protobuf at all, just some text");
        assertNotOnnx(text);
        Path safetensors = dir.resolve("model.onnx");
        TimmModelExport.exportBackbone(VitWeights.random(C, 1, DataType.FLOAT), safetensors);
        assertNotOnnx(safetensors);
        Path good = OnnxVitFixture.write(dir.resolve("vit.onnx"), VitWeights.random(C, 1, DataType.FLOAT), head(2),
                OnnxVitFixture.Options.TORCH);
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = Files.write(dir.resolve("truncated.onnx"), Arrays.copyOf(bytes, bytes.length / 2));
        assertNotOnnx(truncated);
        Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);
        assertNotOnnx(empty);
        // A length prefix promising 2 GB that the file does not have: rejected, not allocated.
        Path lying = Files.write(dir.resolve("lying.onnx"), new byte[]{0x3a, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, 0x07, 1, 2, 3});
        assertNotOnnx(lying);
    }

    @Test
    void aCraftedHugeShapeIsRefusedNotAllocated(@TempDir Path dir) throws IOException {
        Path good = OnnxVitFixture.write(dir.resolve("vit.onnx"), TestWeights.perturbed(C, 4, DataType.FLOAT), head(2),
                OnnxVitFixture.Options.TORCH);
        Onnx.ModelProto model = Onnx.ModelProto.parseFrom(Files.readAllBytes(good));
        Onnx.TensorProto huge = Onnx.TensorProto.newBuilder().setName("huge_shape").addDims(2)
                .setDataType(Onnx.TensorProto.DataType.INT64_VALUE).addInt64Data(1L << 20).addInt64Data(1L << 20)
                .build();
        Onnx.GraphProto.Builder g = model.getGraph().toBuilder().addInitializer(huge);
        g.addNode(0, Onnx.NodeProto.newBuilder().setOpType("ConstantOfShape").setName("bomb").addInput("huge_shape")
                .addOutput("bomb_out"));
        Path crafted = dir.resolve("crafted.onnx");
        Files.write(crafted, model.toBuilder().setGraph(g).build().toByteArray());
        CheckpointException e = assertThrows(CheckpointException.class, () -> OnnxBackboneImporter.load(crafted, C));
        assertTrue(e.getMessage().contains("cannot run the ONNX graph") && e.getMessage().contains("bomb"),
                e.getMessage());
    }

    private static void assertNotOnnx(Path file) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> OnnxBackboneImporter.load(file, C));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("not an ONNX model"),
                e.getMessage());
    }
}

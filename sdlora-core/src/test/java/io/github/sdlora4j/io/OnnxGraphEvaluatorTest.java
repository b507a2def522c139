package io.github.sdlora4j.io;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.github.sdlora4j.learner.ClassifierHead;
import io.github.sdlora4j.vit.TestWeights;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link OnnxGraphEvaluator} is what {@link OnnxBackboneImporter} checks imported weights against; here it is checked
 * itself, against ONNX Runtime, on every ONNX model the importer tests write ({@link OnnxVitFixture}'s variants).
 */
class OnnxGraphEvaluatorTest {

    static final VitConfig C = VitConfig.TINY_TEST;

    private static ClassifierHead head(VitConfig c, int classes, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return new ClassifierHead(Nd4j.rand(DataType.FLOAT, classes, c.dim()).subi(0.5),
                Nd4j.rand(DataType.FLOAT, classes));
    }

    static Stream<Arguments> fixtures() {
        VitConfig wider = new VitConfig(16, 4, 3, 48, 2, 2, 64, VitConfig.TIMM_LAYER_NORM_EPS);
        return Stream.of(
                Arguments.of("torch export", TestWeights.perturbed(C, 4, DataType.FLOAT), head(C, 3, 1),
                        OnnxVitFixture.Options.TORCH, 3),
                Arguments.of("static batch, LayerNormalization, positional names",
                        TestWeights.perturbed(C, 5, DataType.FLOAT), head(C, 4, 2),
                        new OnnxVitFixture.Options(false, false, true, false, 1, false), 1),
                Arguments.of("dynamic shapes, no head", TestWeights.perturbed(C, 6, DataType.FLOAT),
                        null, new OnnxVitFixture.Options(false, true, false, false, 0, true), 2),
                Arguments.of("relu MLPs", TestWeights.perturbed(C, 4, DataType.FLOAT), head(C, 3, 3),
                        new OnnxVitFixture.Options(true, true, false, false, 0, false), 2),
                Arguments.of("32x32 input", TestWeights.perturbed(C.withImageSize(32), 7, DataType.FLOAT),
                        head(C, 2, 4), OnnxVitFixture.Options.TORCH, 2),
                Arguments.of("width 48", TestWeights.perturbed(wider, 8, DataType.FLOAT), head(wider, 2, 5),
                        OnnxVitFixture.Options.TORCH, 2),
                Arguments.of("float16 weights cast to float, dynamic shapes", TestWeights.perturbed(C, 6,
                        DataType.FLOAT), null, new OnnxVitFixture.Options(false, true, false, true, 0, true), 2),
                Arguments.of("float16 weights, positional names, head", TestWeights.perturbed(C, 9, DataType.FLOAT),
                        head(C, 3, 6), new OnnxVitFixture.Options(false, false, false, true, 0, false), 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void evaluatorMatchesOnnxRuntime(String name, VitWeights w, ClassifierHead head, OnnxVitFixture.Options options,
                                     int batch, @TempDir Path dir) throws Exception {
        Path file = OnnxVitFixture.write(dir.resolve("model.onnx"), w, head, options);
        INDArray x = TestWeights.images(w.config(), batch, 11, DataType.FLOAT);

        Onnx.ModelProto model = Onnx.ModelProto.parseFrom(Files.readAllBytes(file));
        INDArray ours = new OnnxGraphEvaluator(model.getGraph(), t -> {
            try {
                return OnnxBackboneImporter.decode(file, t);
            } catch (CheckpointException e) {
                throw new UncheckedIOException(e);
            }
        }).run(Map.of("input", x));
        float[][] theirs = onnxRuntime(file, x);

        assertArrayEquals(new long[]{theirs.length, theirs[0].length}, ours.shape(), name);
        float[] flat = new float[theirs.length * theirs[0].length];
        for (int i = 0; i < theirs.length; i++) {
            System.arraycopy(theirs[i], 0, flat, i * theirs[i].length, theirs[i].length);
        }
        float[] mine = ours.castTo(DataType.FLOAT).dup('c').data().asFloat();
        double scale = 0;
        for (float v : flat) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertTrue(scale > 1e-3, name + ": outputs of a non-trivial size");
        assertArrayEquals(flat, mine, (float) (1e-5 * Math.max(1, scale)),
                name + ": ours " + Arrays.toString(mine) + " vs ONNX Runtime " + Arrays.toString(flat));
    }

    private static float[][] onnxRuntime(Path file, INDArray x) throws OrtException, IOException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession session = env.createSession(Files.readAllBytes(file), so);
                 OnnxTensor in = OnnxTensor.createTensor(env,
                         FloatBuffer.wrap(x.castTo(DataType.FLOAT).dup('c').data().asFloat()), x.shape());
                 OrtSession.Result result = session.run(Map.of("input", in))) {
                return (float[][]) result.get(0).getValue();
            }
        }
    }
}

package io.github.sdlora4j.vit;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VitGraphTest {

    @Test
    void vitB16BackboneHasTimmsParameterCount() {
        assertEquals(85_798_656L, TimmVitLayout.parameterCount(VitConfig.VIT_B16));
        assertEquals(197, VitConfig.VIT_B16.numTokens());
        assertEquals(TimmVitLayout.parameterCount(VitConfig.TINY_TEST),
                VitWeights.random(VitConfig.TINY_TEST, 1, DataType.FLOAT).parameterCount());
    }

    @Test
    void forwardMatchesAnIndependentTimmForwardInDoubleAndFloat() {
        VitConfig c = VitConfig.TINY_TEST;
        VitWeights w = TestWeights.perturbed(c, 7, DataType.DOUBLE);
        INDArray x = TestWeights.images(c, 3, 11, DataType.DOUBLE);
        double[][] expected = new ReferenceVit(w, null).features(x);
        for (DataType type : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            SameDiff sd = SameDiff.create();
            SDVariable feature = VitGraph.build(sd, w, QkvAdapter.NONE, type);
            INDArray out = sd.output(Map.of(VitGraph.INPUT, x.castTo(type)), feature.name()).get(feature.name());
            assertEquals(3, out.size(0));
            assertEquals(c.dim(), out.size(1));
            double tol = type == DataType.DOUBLE ? 1e-10 : 2e-4;
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < c.dim(); j++) {
                    assertEquals(expected[i][j], out.getDouble(i, j), tol, type + " feature[" + i + "][" + j + "]");
                }
            }
        }
    }

    @Test
    void layerNormUsesTheConfiguredEpsilon() {
        // Tokens with tiny variance make the epsilon visible: 1e-6 and 1e-5 give clearly different features.
        VitConfig c = VitConfig.TINY_TEST;
        VitWeights w = TestWeights.perturbed(c, 3, DataType.DOUBLE);
        INDArray x = Nd4j.zeros(DataType.DOUBLE, 1, c.channels(), c.imageSize(), c.imageSize()).addi(0.5);
        VitConfig other = new VitConfig(c.imageSize(), c.patchSize(), c.channels(), c.dim(), c.depth(), c.heads(),
                c.mlpDim(), 1e-2);
        Map<String, INDArray> tensors = new LinkedHashMap<>(w.tensors());
        // Shrink the token stream so that the LayerNorm inputs have a variance comparable to the epsilons compared.
        tensors.replaceAll((k, v) -> k.equals("pos_embed") || k.equals("cls_token") || k.startsWith("patch_embed")
                ? v.mul(0.05) : v);
        VitWeights small = VitWeights.of(c, tensors, "test");
        double[][] ref = new ReferenceVit(small, null).features(x);
        double[][] refOther = new ReferenceVit(VitWeights.of(other, tensors, "test"), null).features(x);
        SameDiff sd = SameDiff.create();
        SDVariable f = VitGraph.build(sd, small, null, DataType.DOUBLE);
        INDArray out = sd.output(Map.of(VitGraph.INPUT, x), f.name()).get(f.name());
        double diffToOther = 0;
        for (int j = 0; j < c.dim(); j++) {
            assertEquals(ref[0][j], out.getDouble(0, j), 1e-9);
            diffToOther = Math.max(diffToOther, Math.abs(refOther[0][j] - ref[0][j]));
        }
        assertTrue(diffToOther > 1e-2, "epsilon must matter in this test, diff " + diffToOther);
    }

    @Test
    void mismatchedWeightsAreRejectedWithNames() {
        VitWeights w = VitWeights.random(VitConfig.TINY_TEST, 1, DataType.FLOAT);
        Map<String, INDArray> t = new LinkedHashMap<>(w.tensors());
        t.remove("blocks.1.mlp.fc2.bias");
        t.put("blocks.0.attn.qkv.weight", Nd4j.zeros(DataType.FLOAT, 3, 3));
        t.put("blocks.9.attn.qkv.weight", Nd4j.zeros(DataType.FLOAT, 3, 3));
        t.put("head.weight", Nd4j.zeros(DataType.FLOAT, 10, 32));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VitWeights.of(VitConfig.TINY_TEST, t, "model.safetensors"));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("missing 'blocks.1.mlp.fc2.bias'"), e.getMessage());
        assertTrue(e.getMessage().contains("'blocks.0.attn.qkv.weight' has shape [3, 3], expected [96, 32]"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected 'blocks.9.attn.qkv.weight'"), e.getMessage());
        assertTrue(!e.getMessage().contains("head.weight"), "head.* is ignored: " + e.getMessage());
    }

    @Test
    void configValidatesAndResolvesPresets() {
        assertEquals(VitConfig.VIT_B16, VitConfig.preset("vit-b16"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VitConfig.preset("vit-huge"));
        assertTrue(e.getMessage().contains("tiny-test, vit-b16, vit-tiny"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new VitConfig(30, 4, 3, 32, 2, 2, 64, 1e-6));
        assertThrows(IllegalArgumentException.class, () -> new VitConfig(16, 4, 3, 30, 2, 4, 64, 1e-6));
    }
}

package io.github.sdlora4j.inflora;

import io.github.sdlora4j.vit.ReferenceVit;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import static io.github.sdlora4j.inflora.SubspaceMemoryTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LayerInputsTest {

    @Test
    void meanOuterProductOfEveryBlocksAttentionInputMatchesAPlainDoubleForward() {
        VitConfig c = VitConfig.TINY_TEST;
        VitWeights weights = VitWeights.random(c, 5, DataType.FLOAT);
        Nd4j.getRandom().setSeed(3);
        INDArray images = Nd4j.rand(DataType.FLOAT, 5, c.channels(), c.imageSize(), c.imageSize());
        DataSet all = new DataSet(images, Nd4j.zeros(DataType.FLOAT, 5, 2));

        INDArray[] expected = new INDArray[c.depth()];
        for (int l = 0; l < c.depth(); l++) {
            expected[l] = Nd4j.zeros(DataType.DOUBLE, c.dim(), c.dim());
        }
        new ReferenceVit(weights, null).onAttentionInput((tokens, block) -> {
            INDArray x = Nd4j.createFromArray(tokens);
            expected[block].addi(x.transpose().mmul(x));
        }).features(images);
        for (INDArray e : expected) {
            e.divi(5.0 * c.numTokens());
        }

        // Batches of 2, 2 and 1: the mean is over every token of every image, whatever the batching.
        INDArray[] actual = new LayerInputs(weights, DataType.FLOAT).meanOuterProducts(new TestDataSetIterator(all, 2));
        assertEquals(c.depth(), actual.length);
        for (int l = 0; l < c.depth(); l++) {
            double scale = expected[l].amaxNumber().doubleValue();
            assertClose(expected[l], actual[l], 1e-5 * scale);
        }
    }

    @Test
    void anEmptyPassIsAnError() {
        VitConfig c = VitConfig.TINY_TEST;
        LayerInputs inputs = new LayerInputs(VitWeights.random(c, 5, DataType.FLOAT), DataType.FLOAT);
        DataSet one = new DataSet(Nd4j.zeros(DataType.FLOAT, 1, c.channels(), c.imageSize(), c.imageSize()),
                Nd4j.zeros(DataType.FLOAT, 1, 2));
        TestDataSetIterator data = new TestDataSetIterator(one, 1);
        data.next();
        assertThrows(IllegalArgumentException.class, () -> inputs.meanOuterProducts(data));
    }
}

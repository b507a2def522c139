package io.github.sdlora4j.inflora;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static io.github.sdlora4j.inflora.SubspaceMemoryTest.assertClose;
import static io.github.sdlora4j.inflora.SubspaceMemoryTest.diagonal;
import static io.github.sdlora4j.inflora.SubspaceMemoryTest.randomCovariance;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InputSubspaceTest {

    @Test
    void withoutMemoryTheRowsAreTheLeadingEigenvectorsScaledByOneOverRootThree() {
        INDArray a = InputSubspace.design(diagonal(1, 5, 3, 2), SubspaceMemory.empty(4), 2, DataType.DOUBLE);
        INDArray expected = Nd4j.createFromArray(new double[][]{{0, 1, 0, 0}, {0, 0, 1, 0}}).muli(InputSubspace.ROW_SCALE);
        assertClose(expected, Nd4j.math().abs(a), 1e-12);
    }

    @Test
    void designedRowsAreOrthonormalUpToTheScaleAndOrthogonalToTheMemory() {
        int d = 16;
        SubspaceMemory memory = SubspaceMemory.empty(d).updated(randomCovariance(d, 5, 11), 0.999);
        memory = memory.updated(randomCovariance(d, 4, 12), 0.999);
        INDArray covariance = randomCovariance(d, 12, 13);
        INDArray a = InputSubspace.design(covariance, memory, 4, DataType.DOUBLE);
        assertClose(Nd4j.eye(4).castTo(DataType.DOUBLE).muli(1.0 / 3), a.mmul(a.transpose()), 1e-12);
        assertClose(Nd4j.zeros(DataType.DOUBLE, 4, memory.dimension()), a.mmul(memory.memoryBasis()), 1e-12);
        // The rows are the leading left singular vectors of (I − Π_M)·C: they span the top of its column space.
        INDArray projected = memory.orthogonalPart(covariance);
        SingularVectors reference = SingularVectors.of(projected);
        INDArray top = reference.leading(4);
        INDArray rows = a.transpose().mul(Math.sqrt(3));
        assertClose(top.mmul(top.transpose()), rows.mmul(rows.transpose()), 1e-9);
    }

    @Test
    void rowsStayOrthogonalToTheMemoryWhenTheProjectedInputsHaveLowerRank() {
        // The task's inputs span e1, e2, e3 with e1 and e2 in the memory: one direction is left, but rank 3 is asked.
        SubspaceMemory memory = SubspaceMemory.of(6, Nd4j.eye(6).castTo(DataType.DOUBLE).getColumns(0, 1), false);
        INDArray a = InputSubspace.design(diagonal(3, 2, 1, 0, 0, 0), memory, 3, DataType.DOUBLE);
        assertClose(Nd4j.zeros(DataType.DOUBLE, 3, 2), a.mmul(memory.memoryBasis()), 1e-12);
        assertClose(Nd4j.eye(3).castTo(DataType.DOUBLE).muli(1.0 / 3), a.mmul(a.transpose()), 1e-12);
        assertClose(Nd4j.createFromArray(0.0, 0.0, InputSubspace.ROW_SCALE, 0.0, 0.0, 0.0),
                Nd4j.math().abs(a.getRow(0)), 1e-12);
    }

    @Test
    void rejectsARankTheFreeSpaceCannotHold() {
        SubspaceMemory memory = SubspaceMemory.of(4, Nd4j.eye(4).castTo(DataType.DOUBLE).getColumns(0, 1, 2), false);
        assertThrows(IllegalArgumentException.class,
                () -> InputSubspace.design(diagonal(1, 1, 1, 1), memory, 2, DataType.DOUBLE));
        assertThrows(IllegalArgumentException.class,
                () -> InputSubspace.design(diagonal(1, 1, 1), SubspaceMemory.empty(4), 1, DataType.DOUBLE));
    }
}

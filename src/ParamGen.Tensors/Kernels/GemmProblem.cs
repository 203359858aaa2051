namespace ParamGen.Tensors.Kernels;

/// <summary>
/// One GEMM call, C[M, N] = alpha * op(A) op(B) + beta * C, on pinned row-major storage: op(A)[i, p] is
/// A[i * Lda + p], or A[p * Lda + i] when <see cref="TransA"/>; op(B)[p, j] is B[p * Ldb + j], or
/// B[j * Ldb + p] when <see cref="TransB"/>. A non-null <see cref="Bias"/> adds Bias[j] to every row of C.
/// </summary>
internal readonly unsafe struct GemmProblem(bool transA, bool transB, int m, int n, int k, float alpha,
    float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc, float* bias = null)
{
    public readonly bool TransA = transA;
    public readonly bool TransB = transB;
    public readonly int M = m;
    public readonly int N = n;
    public readonly int K = k;
    public readonly float Alpha = alpha;
    public readonly float* A = a;
    public readonly nint Lda = lda;
    public readonly float* B = b;
    public readonly nint Ldb = ldb;
    public readonly float Beta = beta;
    public readonly float* C = c;
    public readonly nint Ldc = ldc;
    public readonly float* Bias = bias;
}

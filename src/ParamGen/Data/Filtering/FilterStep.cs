namespace ParamGen.Data;

/// <summary>What one filter step removed and what it left.</summary>
/// <param name="Name">The step and its rule, e.g. <c>k-core (users &gt;= 5, items &gt;= 5)</c>.</param>
/// <param name="Rounds">Passes that removed something: the k-core's rounds until its fixed point (0 when the data
/// already was a k-core); 1 for the single-pass steps.</param>
/// <param name="InteractionsRemoved">Interactions this step removed.</param>
/// <param name="UsersRemoved">Users left without interactions by this step.</param>
/// <param name="ItemsRemoved">Items left without interactions by this step.</param>
/// <param name="InteractionsRemaining">Interactions after this step.</param>
/// <param name="UsersRemaining">Users after this step.</param>
/// <param name="ItemsRemaining">Items after this step.</param>
public sealed record FilterStep(string Name, int Rounds, int InteractionsRemoved, int UsersRemoved, int ItemsRemoved,
    int InteractionsRemaining, int UsersRemaining, int ItemsRemaining);

"""12345 hotline work orders (工单): intake, dispatch, the closed loop, deadlines and figures."""

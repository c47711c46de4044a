"""The shared intake, by job.

- ``rules``: the rules a value, or two values together, must follow (written once; the page's
  forms and the typed input both call them);
- ``input``: the intake as typed data, which the page builds from its validated forms and the API
  from its JSON body, and which the services below take;
- ``access``: who takes intakes, and the audit line an intake leaves;
- ``drafts``: unfinished intakes, kept valid or not;
- ``match``: the families the hub probably knows already (record-linkage candidates);
- ``complete``: create the family, or link the intake to the family the hub knew.
"""

# ocsf_check.jq - every OCSF record (one per input) checked against the
# OCSF schema that $schema holds, as incident_formats.sh builds it from
# the public schema files: the class's attributes merged down its extends
# chain, every object's down its own, and the dictionary. Prints one line
# per problem: "ERROR <path>: ..." for a required attribute missing, an
# attribute the schema does not define, a wrong JSON type, an enum value
# the schema does not list or a broken constraint; "NOTE <path>: ..." for a
# recommended attribute missing.

def base_type($t):
  if $schema.types[$t].type then base_type($schema.types[$t].type) else $t end;

def json_type_ok($t; $v):
  base_type($t) as $b
  | if $b == "string_t" then ($v | type) == "string"
    elif $b == "integer_t" or $b == "long_t" then ($v | type) == "number" and ($v | floor) == $v
    elif $b == "float_t" then ($v | type) == "number"
    elif $b == "boolean_t" then ($v | type) == "boolean"
    else true end;

# Enum ids an attribute may take: its own enum (merged down the extends
# chain) with the dictionary's (0 Unknown, 99 Other...), as the OCSF
# server compiles them; an observable's type_id may be any type the
# dictionary marks observable.
def enum_ids($a; $name; $objname):
  ((($schema.dict[$name].enum // {}) + ($a.enum // {})) | keys)
  + (if $objname == "observable" and $name == "type_id" then $schema.observable_ids else [] end);

def check_object($v; $attrs; $constraints; $objname; $path):
  ($attrs | to_entries[]
    | .key as $k | .value as $a | ($path + "." + $k) as $p
    | if ($v | has($k) | not) then
        if $a.requirement == "required" then "ERROR \($p): required attribute missing"
        elif $a.requirement == "recommended" then "NOTE \($p): recommended attribute missing"
        else empty end
      else
        ($a.type // $schema.dict[$k].type) as $t
        | ($a.is_array // $schema.dict[$k].is_array // false) as $array
        | $v[$k] as $val
        | if $array and ($val | type) != "array" then "ERROR \($p): expected an array"
          else
            (if $array then ($val | to_entries[] | {p: "\($p)[\(.key)]", x: .value})
             else {p: $p, x: $val} end)
            | .p as $ep | .x as $x
            | if $schema.objects[$t] and $t != "object" then
                if ($x | type) != "object" then "ERROR \($ep): expected an object (\($t))"
                else check_object($x; $schema.objects[$t].attributes;
                                  $schema.objects[$t].constraints; $t; $ep) end
              elif $schema.objects[$t] then empty   # unmapped: free form
              elif json_type_ok($t; $x) | not then "ERROR \($ep): \($x | tojson) is not of type \($t)"
              elif (enum_ids($a; $k; $objname) | length) > 0
                   and (enum_ids($a; $k; $objname) | index($x | tostring) | not)
                then "ERROR \($ep): \($x) is not in the schema's enum \(enum_ids($a; $k; $objname))"
              else empty end
          end
      end),
  ($v | keys[] | select(. as $key | $attrs | has($key) | not)
    | "ERROR \($path).\(.): not an attribute of \($objname) in the schema"),
  (($constraints.at_least_one // []) as $one
    | if ($one | length) > 0 and ([$one[] | select(. as $name | $v | has($name))] | length) == 0
      then "ERROR \($path): needs at least one of \($one)" else empty end),
  (($constraints.just_one // []) as $one
    | if ($one | length) > 0 and ([$one[] | select(. as $name | $v | has($name))] | length) != 1
      then "ERROR \($path): needs exactly one of \($one)" else empty end);

check_object(.; $schema.class.attributes; $schema.class.constraints;
             $schema.class.name; "record \(input_line_number)")

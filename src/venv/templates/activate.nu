# pepkit's activation script for nushell: "overlay use <venv>/bin/activate.nu";
# "deactivate" (or "overlay hide activate") undoes it.

__VENV_LOCATE__

export-env {
    let venv = $pepkit_venv
    let bin = ($venv | path join __VENV_BIN_NAME__)
    let path_name = if ('Path' in $env) { 'Path' } else { 'PATH' }
    let old_path = ($env | get $path_name)
    let old_path = if (($old_path | describe) == 'string') { $old_path | split row (char esep) } else { $old_path }
    let prompt = __VENV_PROMPT__
    load-env {
        VIRTUAL_ENV: $venv
        VIRTUAL_ENV_PROMPT: $prompt
        $path_name: ($old_path | prepend $bin)
    }
    hide-env --ignore-errors PYTHONHOME
    if ('VIRTUAL_ENV_DISABLE_PROMPT' not-in $env) {
        let old_prompt = ($env.PROMPT_COMMAND? | default '')
        $env.PROMPT_COMMAND = {||
            let rest = if (($old_prompt | describe) =~ '^closure') { do $old_prompt } else { $old_prompt }
            $"\(($prompt)\) ($rest)"
        }
    }
}

export alias deactivate = overlay hide activate
